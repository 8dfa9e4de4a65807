import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clockText, detailsText, formatDuration, isoToLocalInput, liveClock, localInputToIso } from './format.ts';

describe('clock text', () => {
  const fetchedAt = new Date('2026-03-30T10:00:00Z');
  it('counts down live from when the clock was fetched and turns urgent, then overdue', () => {
    const clock = { deadline: '2026-03-31T10:00:00Z', state: 'running' as const, remainingMs: 24 * 3_600_000 };
    expect(clockText(clock, fetchedAt, fetchedAt)).toBe('Notification CNIL : 1 j 0 h restantes');
    expect(clockText(clock, new Date('2026-03-31T00:00:00Z'), fetchedAt)).toBe('Notification CNIL urgente : 10 h 00 restantes');
    expect(clockText(clock, new Date('2026-03-31T10:05:00Z'), fetchedAt)).toBe('Délai CNIL dépassé de 5 min');
  });
  it('turns due soon strictly under 12 hours and overdue strictly under zero, as the server does', () => {
    const clock = { deadline: '2026-03-31T10:00:00Z', state: 'running' as const, remainingMs: 12 * 3_600_000 };
    expect(liveClock(clock, fetchedAt, fetchedAt).state).toBe('running');
    expect(liveClock(clock, new Date(fetchedAt.getTime() + 1), fetchedAt).state).toBe('due_soon');
    expect(liveClock(clock, new Date(fetchedAt.getTime() + 12 * 3_600_000), fetchedAt)).toEqual({ state: 'due_soon', remainingMs: 0 });
    expect(liveClock(clock, new Date(fetchedAt.getTime() + 12 * 3_600_000 + 1), fetchedAt).state).toBe('overdue');
  });
  it('never moves a clock that has stopped, nor one without personal data', () => {
    const notified = { deadline: '', state: 'notified_on_time' as const, remainingMs: 5_000, notifiedAt: '2026-03-30T09:00:00Z' };
    expect(liveClock(notified, new Date('2030-01-01'), fetchedAt)).toEqual({ state: 'notified_on_time', remainingMs: 5_000 });
    expect(clockText({ deadline: '', state: 'not_required', remainingMs: -1 }, new Date('2030-01-01'), fetchedAt)).toBe('Pas de données personnelles déclarées');
  });
  it('stops once the CNIL is notified', () => {
    expect(clockText({ deadline: '', state: 'notified_late', remainingMs: -3_600_000 }, new Date('2030-01-01'), fetchedAt)).toBe('CNIL notifiée hors délai');
  });
  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0 min');
    expect(formatDuration(3 * 86_400_000 + 3_600_000)).toBe('3 j 1 h');
  });
});

describe('Paris wall time inputs', () => {
  it('round-trips every instant, across the daylight-saving changes', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }), (d) => {
        const minute = new Date(Math.floor(d.getTime() / 60_000) * 60_000);
        const local = isoToLocalInput(minute.toISOString());
        // The hour repeated in October maps to one of its two instants; both show the same wall time.
        expect(isoToLocalInput(localInputToIso(local))).toBe(local);
      }),
    );
  });
  it('reads 18:40 in March as 17:40 UTC and in July as 16:40 UTC', () => {
    expect(localInputToIso('2026-03-28T18:40')).toBe('2026-03-28T17:40:00.000Z');
    expect(localInputToIso('2026-07-14T18:40')).toBe('2026-07-14T16:40:00.000Z');
  });
});

describe('audit details', () => {
  it('reads as short key : value text, whatever the server put in', () => {
    expect(detailsText({ kind: 'initial', fields: ['title', 'status'] })).toBe('kind : initial ; fields : ["title","status"]');
    expect(detailsText(null)).toBe('');
    expect(detailsText(['a'])).toBe('["a"]');
    expect(detailsText('texte')).toBe('"texte"');
  });
});
