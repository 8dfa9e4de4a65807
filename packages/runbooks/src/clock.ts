// The 72-hour CNIL clock (art. 33(1) GDPR): a pure function of stored instants and `now`, so the
// server, the web app and the documents all tell the same time.
export const CNIL_DEADLINE_MS = 72 * 3_600_000;
/** Under 12 hours left, the clock says so everywhere the incident appears. */
export const DUE_SOON_MS = 12 * 3_600_000;

export type ClockState = 'running' | 'due_soon' | 'overdue' | 'notified_on_time' | 'notified_late' | 'not_required';

export interface Clock {
  /** ISO 8601 UTC instant: awareness + exactly 72 hours (not "three calendar days"). */
  deadline: string;
  state: ClockState;
  /** Time left at `now` (negative once overdue); frozen at the notification once notified. */
  remainingMs: number;
  notifiedAt?: string;
}

export interface ClockInput {
  awareAt: Date;
  notifiedAt?: Date | null;
  personalDataInvolved: boolean;
  now: Date;
}

/**
 * A notification made on the deadline to the millisecond is on time; the clock is overdue only once
 * the deadline has passed. A notification recorded although no personal data is involved still
 * counts (the DPO may notify out of caution).
 */
export function cnilClock(input: ClockInput): Clock {
  const aware = input.awareAt.getTime();
  if (Number.isNaN(aware)) throw new RangeError('awareAt is not a valid date');
  if (!input.notifiedAt && Number.isNaN(input.now.getTime())) throw new RangeError('now is not a valid date');
  const notified = input.notifiedAt && !Number.isNaN(input.notifiedAt.getTime()) ? input.notifiedAt : undefined;
  const deadline = aware + CNIL_DEADLINE_MS;
  const reference = notified ? notified.getTime() : input.now.getTime();
  const remainingMs = deadline - reference;
  const base = { deadline: new Date(deadline).toISOString(), remainingMs };
  if (notified) return { ...base, state: remainingMs >= 0 ? 'notified_on_time' : 'notified_late', notifiedAt: notified.toISOString() };
  if (!input.personalDataInvolved) return { ...base, state: 'not_required' };
  if (remainingMs < 0) return { ...base, state: 'overdue' };
  if (remainingMs < DUE_SOON_MS) return { ...base, state: 'due_soon' };
  return { ...base, state: 'running' };
}
