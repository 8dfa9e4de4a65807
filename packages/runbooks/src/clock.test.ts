import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cnilClock, CNIL_DEADLINE_MS, DUE_SOON_MS, type ClockState } from './index.ts';

const HOUR = 3_600_000;
const awareAt = new Date('2026-10-24T22:15:00Z'); // the deadline falls after the clocks go back in Paris
const at = (ms: number, personalDataInvolved = true) => cnilClock({ awareAt, personalDataInvolved, now: new Date(awareAt.getTime() + ms) });
const instant = fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true });
const offset = fc.integer({ min: -10 * CNIL_DEADLINE_MS, max: 10 * CNIL_DEADLINE_MS });

describe('72-hour clock', () => {
  it('runs, turns due soon with less than 12 hours left, then overdue once the deadline has passed', () => {
    expect(at(0).deadline).toBe('2026-10-27T22:15:00.000Z'); // 72 real hours, not three calendar days
    expect(at(1 * HOUR)).toMatchObject({ state: 'running', remainingMs: 71 * HOUR });
    expect(at(60 * HOUR).state).toBe('running'); // exactly 12 h left is not yet "less than 12 h"
    expect(at(60 * HOUR + 1).state).toBe('due_soon');
    expect(at(CNIL_DEADLINE_MS).state).toBe('due_soon'); // on the deadline, still in time
    expect(at(CNIL_DEADLINE_MS + 1)).toMatchObject({ state: 'overdue', remainingMs: -1 });
    expect(at(-HOUR).state).toBe('running'); // a clock skew before awareness is not an error
  });

  it('is not required without personal data, until someone notifies anyway', () => {
    expect(at(100 * HOUR, false).state).toBe('not_required');
    const notified = cnilClock({ awareAt, personalDataInvolved: false, notifiedAt: new Date(awareAt.getTime() + HOUR), now: new Date('2030-01-01') });
    expect(notified.state).toBe('notified_on_time');
  });

  it('freezes at notification: on time (deadline included) or late, whatever now is', () => {
    const late = cnilClock({ awareAt, personalDataInvolved: true, notifiedAt: new Date(awareAt.getTime() + 80 * HOUR), now: new Date('2027-01-01') });
    expect(late).toMatchObject({ state: 'notified_late', remainingMs: -8 * HOUR, notifiedAt: '2026-10-28T06:15:00.000Z' });
    const onTheDot = cnilClock({ awareAt, personalDataInvolved: true, notifiedAt: new Date(awareAt.getTime() + CNIL_DEADLINE_MS), now: new Date('2027-01-01') });
    expect(onTheDot).toMatchObject({ state: 'notified_on_time', remainingMs: 0 });
  });

  it('refuses an invalid awareness date instead of showing a wrong deadline', () => {
    expect(() => cnilClock({ awareAt: new Date('nope'), personalDataInvolved: true, now: new Date() })).toThrow(RangeError);
  });

  it('puts the deadline exactly 72 hours after awareness and counts the time left exactly', () => {
    fc.assert(fc.property(instant, offset, fc.boolean(), (aware, off, pd) => {
      const clock = cnilClock({ awareAt: aware, personalDataInvolved: pd, now: new Date(aware.getTime() + off) });
      expect(new Date(clock.deadline).getTime() - aware.getTime()).toBe(CNIL_DEADLINE_MS);
      expect(clock.remainingMs).toBe(CNIL_DEADLINE_MS - off);
      expect(clock.notifiedAt).toBeUndefined();
      const expected: ClockState = !pd ? 'not_required' : off > CNIL_DEADLINE_MS ? 'overdue' : CNIL_DEADLINE_MS - off < DUE_SOON_MS ? 'due_soon' : 'running';
      expect(clock.state).toBe(expected);
    }));
  });

  it('only ever moves forward: running, then due soon, then overdue', () => {
    const rank: Record<string, number> = { running: 0, due_soon: 1, overdue: 2 };
    fc.assert(fc.property(instant, offset, offset, (aware, a, b) => {
      const [early, late] = a <= b ? [a, b] : [b, a];
      const s1 = cnilClock({ awareAt: aware, personalDataInvolved: true, now: new Date(aware.getTime() + early) }).state;
      const s2 = cnilClock({ awareAt: aware, personalDataInvolved: true, now: new Date(aware.getTime() + late) }).state;
      expect(rank[s1]!).toBeLessThanOrEqual(rank[s2]!);
    }));
  });

  it('once notified, depends on the notification instant only, never on now or on the personal-data flag', () => {
    fc.assert(fc.property(instant, offset, offset, offset, fc.boolean(), fc.boolean(), (aware, n, now1, now2, pd1, pd2) => {
      const notifiedAt = new Date(aware.getTime() + n);
      const c1 = cnilClock({ awareAt: aware, notifiedAt, personalDataInvolved: pd1, now: new Date(aware.getTime() + now1) });
      const c2 = cnilClock({ awareAt: aware, notifiedAt, personalDataInvolved: pd2, now: new Date(aware.getTime() + now2) });
      expect(c1).toEqual(c2);
      expect(c1.state).toBe(n <= CNIL_DEADLINE_MS ? 'notified_on_time' : 'notified_late');
    }));
  });
});
