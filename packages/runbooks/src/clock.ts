// The 72-hour CNIL clock (art. 33(1) GDPR): a pure function of stored instants and `now`.
export const CNIL_DEADLINE_MS = 72 * 3_600_000;
export const DUE_SOON_MS = 12 * 3_600_000;

export type ClockState = 'running' | 'due_soon' | 'overdue' | 'notified_on_time' | 'notified_late' | 'not_required';

export interface Clock {
  deadline: string;
  state: ClockState;
  /** Time left at `now` (negative once overdue); at notification time once notified. */
  remainingMs: number;
  notifiedAt?: string;
}

export function cnilClock(input: { awareAt: Date; notifiedAt?: Date | null; personalDataInvolved: boolean; now: Date }): Clock {
  const deadline = new Date(input.awareAt.getTime() + CNIL_DEADLINE_MS);
  const reference = input.notifiedAt ?? input.now;
  const remainingMs = deadline.getTime() - reference.getTime();
  const base = { deadline: deadline.toISOString(), remainingMs };
  if (input.notifiedAt) {
    return { ...base, state: remainingMs >= 0 ? 'notified_on_time' : 'notified_late', notifiedAt: input.notifiedAt.toISOString() };
  }
  if (!input.personalDataInvolved) return { ...base, state: 'not_required' };
  if (remainingMs < 0) return { ...base, state: 'overdue' };
  if (remainingMs <= DUE_SOON_MS) return { ...base, state: 'due_soon' };
  return { ...base, state: 'running' };
}
