// Local dates and times read in a named time zone, fast enough for tens of millions of lines.
//
// Choice at the daylight-saving changes (documented in the README, tested):
// - hour that does not exist (spring, 02:30 in Paris): read with the offset in force before the
//   change, i.e. moved forward by the length of the gap (02:30 → 03:30 CEST = 01:30 UTC), as luxon
//   and most log tools do, because a clock that skipped the hour most likely wrote a real instant;
// - hour that happens twice (autumn, 02:30): the FIRST occurrence (summer offset, earlier instant),
//   as java.time and Python (fold=0) do. Logs cannot tell the two apart; the earlier instant keeps
//   an event before anything that followed it.
import { DateTime, IANAZone } from 'luxon';

export type DateKind = 'date' | 'datetime';
export type DateParse =
  | { ok: true; value: number | string }
  | { ok: false; code: 'invalid_date' | 'ambiguous_date' };

type Parts = { y: number; M: number; d: number; h: number; mi: number; s: number; ms: number; offsetMin?: number };
type PartParser = (text: string, zone: string) => Parts | null;

const TOKEN_PATTERNS: Record<string, [string, DateSlot]> = {
  yyyy: ['(\\d{4})', 'y'],
  yy: ['(\\d{2})', 'yy'],
  MM: ['(\\d{2})', 'M'],
  M: ['(\\d{1,2})', 'M'],
  dd: ['(\\d{2})', 'd'],
  d: ['(\\d{1,2})', 'd'],
  HH: ['(\\d{2})', 'h'],
  H: ['(\\d{1,2})', 'h'],
  mm: ['(\\d{2})', 'mi'],
  m: ['(\\d{1,2})', 'mi'],
  ss: ['(\\d{2})', 's'],
  s: ['(\\d{1,2})', 's'],
  SSS: ['(\\d{3})', 'ms'],
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export type DateSlot = keyof Parts | 'yy';

/**
 * The common luxon tokens of a format, in order, with the literal text between them; null when the
 * format needs luxon itself (other tokens, quoted text). Shared with readers that parse dates
 * elsewhere (the forensics DuckDB CSV reader) so that both accept exactly the same texts.
 */
export function formatTokens(format: string): { parts: ({ literal: string } | { pattern: string; slot: DateSlot })[] } | null {
  const parts: ({ literal: string } | { pattern: string; slot: DateSlot })[] = [];
  let i = 0;
  while (i < format.length) {
    const ch = format[i] as string;
    if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (j < format.length && format[j] === ch) j++;
      const pattern = TOKEN_PATTERNS[format.slice(i, j)];
      if (!pattern) return null;
      parts.push({ pattern: pattern[0], slot: pattern[1] });
      i = j;
    } else if (ch === "'") {
      return null;
    } else {
      parts.push({ literal: ch });
      i++;
    }
  }
  return { parts };
}

/** Compile the common luxon tokens into one regular expression; other formats go through luxon. */
function compileFormat(format: string): PartParser {
  if (format === 'iso') return parseIsoParts;
  if (format === 'epoch_ms' || format === 'epoch_s') {
    const factor = format === 'epoch_s' ? 1000 : 1;
    return (text) => {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n)) return null;
      const date = new Date(n * factor);
      if (Number.isNaN(date.getTime())) return null;
      return { y: date.getUTCFullYear(), M: date.getUTCMonth() + 1, d: date.getUTCDate(), h: date.getUTCHours(), mi: date.getUTCMinutes(), s: date.getUTCSeconds(), ms: date.getUTCMilliseconds(), offsetMin: 0 };
    };
  }
  const tokens = formatTokens(format);
  if (!tokens) {
    return (text, zone) => {
      const parsed = DateTime.fromFormat(text, format, { zone, setZone: true });
      if (!parsed.isValid) return null;
      return { y: parsed.year, M: parsed.month, d: parsed.day, h: parsed.hour, mi: parsed.minute, s: parsed.second, ms: parsed.millisecond, offsetMin: /Z|z|o/.test(format) ? parsed.offset : undefined };
    };
  }
  const slots: DateSlot[] = [];
  let source = '^';
  for (const part of tokens.parts) {
    if ('literal' in part) source += escapeRegExp(part.literal);
    else {
      source += part.pattern;
      slots.push(part.slot);
    }
  }
  // eslint-disable-next-line security/detect-non-literal-regexp -- built from escaped format tokens only
  const regex = new RegExp(`${source}$`);
  return (text) => {
    const match = regex.exec(text);
    if (!match) return null;
    const parts: Parts = { y: 1970, M: 1, d: 1, h: 0, mi: 0, s: 0, ms: 0 };
    for (let k = 0; k < slots.length; k++) {
      const n = Number(match[k + 1]);
      const slot = slots[k] as DateSlot;
      // Two-digit years: 00–59 → 2000s, 60–99 → 1900s (luxon's default cut-off).
      if (slot === 'yy') parts.y = n < 60 ? 2000 + n : 1900 + n;
      else parts[slot] = n;
    }
    return validParts(parts) ? parts : null;
  };
}

// eslint-disable-next-line security/detect-unsafe-regex -- anchored, every group bounded: no catastrophic backtracking
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

function parseIsoParts(text: string): Parts | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const parts: Parts = {
    y: Number(m[1]), M: Number(m[2]), d: Number(m[3]),
    h: m[4] === undefined ? 0 : Number(m[4]), mi: m[5] === undefined ? 0 : Number(m[5]), s: m[6] === undefined ? 0 : Number(m[6]),
    ms: m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000),
  };
  const offset = m[8];
  if (offset !== undefined) {
    if (offset === 'Z' || offset === 'z') parts.offsetMin = 0;
    else {
      const sign = offset[0] === '-' ? -1 : 1;
      const digits = offset.slice(1).replace(':', '');
      const hours = Number(digits.slice(0, 2));
      const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
      if (hours > 18 || minutes > 59) return null;
      parts.offsetMin = sign * (hours * 60 + minutes);
    }
  }
  return validParts(parts) ? parts : null;
}

function validParts(p: Parts): boolean {
  if (p.M < 1 || p.M > 12 || p.d < 1 || p.h > 23 || p.mi > 59 || p.s > 59) return false;
  const daysInMonth = new Date(Date.UTC(p.y, p.M, 0)).getUTCDate();
  return p.d <= daysInMonth;
}

/** Offset cache per zone and local hour; hours within a day of a change are computed each time. */
class ZoneClock {
  private readonly zone: IANAZone;
  private readonly cache = new Map<number, number | null>();
  constructor(name: string) {
    this.zone = IANAZone.create(name);
  }

  /** UTC milliseconds for a local wall-clock time given as if it were UTC. */
  toUtc(wall: number): number {
    const cached = this.hourOffset(Math.floor(wall / 3_600_000));
    if (cached !== null) return wall - cached * 60_000;
    return this.resolveNearChange(wall);
  }

  /** Offset in minutes of every wall time in this local hour (hours since the epoch), or null within a day of a change. */
  hourOffset(hourKey: number): number | null {
    let cached = this.cache.get(hourKey);
    if (cached === undefined) {
      const before = this.zone.offset(hourKey * 3_600_000 - 86_400_000);
      const after = this.zone.offset(hourKey * 3_600_000 + 86_400_000);
      cached = before === after && this.zone.offset(hourKey * 3_600_000 - before * 60_000) === before ? before : null;
      if (this.cache.size > 200_000) this.cache.clear();
      this.cache.set(hourKey, cached);
    }
    return cached;
  }

  private resolveNearChange(wall: number): number {
    const before = this.zone.offset(wall - 86_400_000);
    const after = this.zone.offset(wall + 86_400_000);
    const valid: number[] = [];
    for (const offset of before === after ? [before] : [before, after]) {
      const t = wall - offset * 60_000;
      if (this.zone.offset(t) === offset) valid.push(t);
    }
    if (valid.length > 0) return Math.min(...valid); // overlap: first occurrence
    return wall - before * 60_000; // gap: offset before the change, i.e. moved forward
  }
}

const clocks = new Map<string, ZoneClock>();
/**
 * Local wall time (written as if UTC) → UTC, with the daylight-saving choices above. `hourOffset`
 * lets a reader convert a whole local hour at once; its null hours go through `toUtc` time by time.
 */
export function zoneClock(zone: string): Pick<ZoneClock, 'toUtc' | 'hourOffset'> {
  return clockFor(zone);
}

function clockFor(zone: string): ZoneClock {
  let clock = clocks.get(zone);
  if (!clock) {
    clock = new ZoneClock(zone);
    clocks.set(zone, clock);
  }
  return clock;
}

export interface DateParserOptions {
  /** Formats tried in order; several that match with different results make the value ambiguous. */
  formats?: string[];
  /** IANA zone for local times (default Europe/Paris). Values carrying an offset keep theirs. */
  timezone?: string;
  /** `datetime` → UTC epoch milliseconds; `date` → `yyyy-MM-dd` calendar date. */
  kind: DateKind;
}

export function createDateParser(options: DateParserOptions): (text: string) => DateParse {
  const formats = options.formats && options.formats.length > 0 ? options.formats : ['iso'];
  const zone = options.timezone ?? 'Europe/Paris';
  const parsers = formats.map(compileFormat);
  const clock = options.kind === 'datetime' ? clockFor(zone) : null;
  const finish = (p: Parts): number | string => {
    if (!clock) return `${String(p.y).padStart(4, '0')}-${String(p.M).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
    const wall = Date.UTC(p.y, p.M - 1, p.d, p.h, p.mi, p.s, p.ms);
    return p.offsetMin !== undefined ? wall - p.offsetMin * 60_000 : clock.toUtc(wall);
  };
  if (parsers.length === 1) {
    const only = parsers[0] as PartParser;
    return (text) => {
      const parts = only(text.trim(), zone);
      return parts ? { ok: true, value: finish(parts) } : { ok: false, code: 'invalid_date' };
    };
  }
  return (text) => {
    const trimmed = text.trim();
    let result: number | string | undefined;
    for (const parser of parsers) {
      const parts = parser(trimmed, zone);
      if (!parts) continue;
      const value = finish(parts);
      if (result === undefined) result = value;
      else if (result !== value) return { ok: false, code: 'ambiguous_date' };
    }
    return result === undefined ? { ok: false, code: 'invalid_date' } : { ok: true, value: result };
  };
}
