import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { isoMillis, parisDayOf, parisIso, parisShown, parisText } from './paris.ts';

const ZONE = 'Europe/Paris';

/** Deterministic pseudo-random numbers (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function samples(): number[] {
  const out: number[] = [];
  // Every 5 minutes (and the millisecond before each) over the days the clocks change in 2024,
  // where the offset lookup per UTC hour could go wrong.
  for (const day of ['2024-03-30T22:00:00Z', '2024-10-26T22:00:00Z', '1996-10-26T22:00:00Z']) {
    const start = Date.parse(day);
    for (let ms = start; ms < start + 2 * 86_400_000; ms += 5 * 60_000) out.push(ms, ms - 1, ms + 59_999);
  }
  // Random instants from 1850 (local mean time, odd offsets) to 2100, some with milliseconds.
  const next = random(42);
  const from = Date.parse('1850-01-01T00:00:00Z');
  const to = Date.parse('2100-01-01T00:00:00Z');
  for (let i = 0; i < 20_000; i++) {
    const ms = Math.floor(from + next() * (to - from));
    out.push(i % 3 === 0 ? ms - (ms % 1000) : ms);
  }
  out.push(0, -1, 253402300799999, 253402300800000, -62135596800001, 1.5, 8.64e15);
  return out;
}

describe('Paris time text without luxon per value', () => {
  it('writes the same ISO time and French text as luxon, clock changes and old offsets included', () => {
    for (const ms of samples()) {
      const dt = DateTime.fromMillis(ms, { zone: ZONE });
      expect(parisIso(ms), String(ms)).toBe(dt.toISO({ suppressMilliseconds: true }));
      expect(parisText(ms), String(ms)).toBe(dt.toFormat("dd/MM/yyyy 'à' HH'h'mm"));
    }
  });

  it('reads ISO times back as luxon does, in any offset, and leaves odd text to luxon', () => {
    const texts: string[] = [];
    for (const ms of samples().slice(0, 3000)) {
      texts.push(parisIso(ms), DateTime.fromMillis(ms, { zone: 'UTC' }).toISO() as string, DateTime.fromMillis(ms, { zone: 'America/St_Johns' }).toISO() as string);
    }
    texts.push('2024-02-30T00:00:00Z', '2024-08-12T24:00:00+02:00', '2024-08-12 03:40:00', 'garbage', '2024-08-12T03:40:00', '2024-08-12T03:40:00.5+02:00', '0050-01-01T00:00:00Z', '2024-08-12T03:40:00+25:00');
    for (const iso of texts) {
      const dt = DateTime.fromISO(iso, { setZone: true }).setZone(ZONE);
      expect(parisShown(iso), iso).toBe(dt.toFormat('dd/MM/yyyy HH:mm:ss'));
      expect(parisDayOf(iso), iso).toBe(dt.toFormat('yyyy-MM-dd'));
      expect(isoMillis(iso), iso).toBe(DateTime.fromISO(iso).toMillis());
    }
  });
});
