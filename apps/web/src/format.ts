// Everything shown as a date is shown in Paris time, whatever the device's zone.
import { t } from './i18n/index.ts';

const dateTime = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'long' });

export const formatDateTime = (iso: string | null | undefined) => (iso ? dateTime.format(new Date(iso)) : '');
export const formatDate = (iso: string | null | undefined) => (iso ? dateOnly.format(new Date(iso)) : '');

/** "2 j 5 h", "5 h 03", "12 min": how long, readable at a glance. */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${days} j ${hours} h`;
  if (hours > 0) return `${hours} h ${String(mins).padStart(2, '0')}`;
  return `${mins} min`;
}

export interface Clock {
  deadline: string;
  state: 'running' | 'due_soon' | 'overdue' | 'notified_on_time' | 'notified_late' | 'not_required';
  remainingMs: number;
  notifiedAt?: string;
}

/** Same threshold as the server's clock (packages/runbooks): due soon strictly under 12 hours. */
export const DUE_SOON_MS = 12 * 3_600_000;

/**
 * The clock as it stands now: the server's answer, counted down since it was fetched, so a page
 * left open at 3 a.m. turns "due soon" then "overdue" without a reload. A stopped clock stays put.
 */
export function liveClock(clock: Clock, now: Date, fetchedAt: Date): { state: Clock['state']; remainingMs: number } {
  const live = clock.state === 'running' || clock.state === 'due_soon' || clock.state === 'overdue';
  if (!live) return { state: clock.state, remainingMs: clock.remainingMs };
  const remainingMs = clock.remainingMs - (now.getTime() - fetchedAt.getTime());
  return { state: remainingMs < 0 ? 'overdue' : remainingMs < DUE_SOON_MS ? 'due_soon' : 'running', remainingMs };
}

/** The clock as text; the state is always said in words, never by colour alone. */
export function clockText(clock: Clock, now: Date, fetchedAt: Date): string {
  const { state, remainingMs } = liveClock(clock, now, fetchedAt);
  return t(`clock.${state}`, { left: formatDuration(remainingMs) });
}

/** Lines of a textarea as a list, blanks dropped. */
export const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);

/** A datetime-local input value (Paris time) as an ISO instant, and back. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const [date, time] = value.split('T');
  const [y, m, d] = date!.split('-').map(Number);
  const [hh, mm] = time!.split(':').map(Number);
  // Find the UTC instant whose Paris wall time is the one typed.
  let guess = Date.UTC(y!, m! - 1, d!, hh!, mm!);
  for (let i = 0; i < 2; i += 1) {
    const shown = parisParts(new Date(guess));
    const diff = Date.UTC(y!, m! - 1, d!, hh!, mm!) - Date.UTC(shown.y, shown.m - 1, shown.d, shown.hh, shown.mm);
    guess += diff;
  }
  return new Date(guess).toISOString();
}

export function isoToLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const p = parisParts(new Date(iso));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.y}-${pad(p.m)}-${pad(p.d)}T${pad(p.hh)}:${pad(p.mm)}`;
}

function parisParts(date: Date) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day), hh: Number(parts.hour), mm: Number(parts.minute) };
}

/** An entry's details as short "key: value" text; nested values are shown as compact JSON. */
export function detailsText(details: unknown): string {
  if (details === null || details === undefined) return '';
  if (typeof details !== 'object' || Array.isArray(details)) return JSON.stringify(details);
  return Object.entries(details as Record<string, unknown>)
    .map(([k, v]) => `${k} : ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ; ');
}
