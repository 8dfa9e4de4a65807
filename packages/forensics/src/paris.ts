// Paris wall-clock text for the outputs, byte for byte what luxon writes, without a luxon DateTime
// per value: a report shows thousands of evidence times, and luxon's zone conversion and token
// formatting cost more than the rest of the explanation. Europe/Paris changes its offset on whole
// UTC hours (since 1940), so the offset is looked up once per UTC hour and the digits are written
// from plain UTC arithmetic. Anything unusual (an hour holding an offset change, a year outside
// 1000–9999, a fraction of a millisecond, text that is not a plain ISO time) goes through luxon.
import { DateTime } from 'luxon';

const ZONE = 'Europe/Paris';
const HOUR = 3_600_000;
/** UTC hour → offset in minutes, or null when the hour must go through luxon. */
const offsets = new Map<number, number | null>();

function offsetOf(ms: number): number | null {
  const hour = Math.floor(ms / HOUR);
  let offset = offsets.get(hour);
  if (offset === undefined) {
    const start = DateTime.fromMillis(hour * HOUR, { zone: ZONE }).offset;
    const end = DateTime.fromMillis(hour * HOUR + HOUR - 1, { zone: ZONE }).offset;
    offset = start === end && Number.isInteger(start) ? start : null;
    offsets.set(hour, offset);
  }
  return offset;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));

interface Wall { y: number; mo: number; d: number; h: number; mi: number; s: number; ms: number; offset: number }

/** Paris wall-clock fields of an epoch millisecond, or null when luxon must decide. */
function wall(ms: number): Wall | null {
  if (!Number.isInteger(ms)) return null;
  const offset = offsetOf(ms);
  if (offset === null) return null;
  const local = new Date(ms + offset * 60_000);
  const y = local.getUTCFullYear();
  if (y < 1000 || y > 9999) return null;
  return { y, mo: local.getUTCMonth() + 1, d: local.getUTCDate(), h: local.getUTCHours(), mi: local.getUTCMinutes(), s: local.getUTCSeconds(), ms: local.getUTCMilliseconds(), offset };
}

function offsetText(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** `2024-08-12T03:40:00+02:00` (milliseconds only when there are some), as luxon's `toISO({ suppressMilliseconds: true })`. */
export function parisIso(ms: number): string {
  const w = wall(ms);
  if (!w) return DateTime.fromMillis(ms, { zone: ZONE }).toISO({ suppressMilliseconds: true }) as string;
  return `${w.y}-${pad2(w.mo)}-${pad2(w.d)}T${pad2(w.h)}:${pad2(w.mi)}:${pad2(w.s)}${w.ms === 0 ? '' : `.${pad3(w.ms)}`}${offsetText(w.offset)}`;
}

/** `12/08/2024 à 03h40`. */
export function parisText(ms: number): string {
  const w = wall(ms);
  if (!w) return DateTime.fromMillis(ms, { zone: ZONE }).toFormat("dd/MM/yyyy 'à' HH'h'mm");
  return `${pad2(w.d)}/${pad2(w.mo)}/${w.y} à ${pad2(w.h)}h${pad2(w.mi)}`;
}

const ISO_HEAD = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/;
const ISO_MS = /^\.\d{3}/;
const ISO_OFFSET = /^([+-])(\d{2}):(\d{2})$/;

/** Epoch milliseconds of an ISO time with its offset, or null when it is not that plain, valid form. */
function plainIsoMs(iso: string): number | null {
  const head = ISO_HEAD.exec(iso);
  if (!head) return null;
  const [y, mo, d, h, mi, s] = head.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  let rest = iso.slice(19);
  let frac = 0;
  if (ISO_MS.test(rest)) {
    frac = Number(rest.slice(1, 4));
    rest = rest.slice(4);
  }
  let offset = 0;
  if (rest !== 'Z') {
    const m = ISO_OFFSET.exec(rest);
    if (!m || Number(m[3]) >= 60 || Number(m[2]) >= 24) return null;
    offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  }
  const local = Date.UTC(y, mo - 1, d, h, mi, s, frac);
  const back = new Date(local);
  // 30 February or 24:00 are not times: luxon refuses them, and so must this.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h || back.getUTCMinutes() !== mi || back.getUTCSeconds() !== s) return null;
  return local - offset * 60_000;
}

/** Epoch milliseconds of an ISO time, as luxon's `DateTime.fromISO(iso).toMillis()`. */
export function isoMillis(iso: string): number {
  return plainIsoMs(iso) ?? DateTime.fromISO(iso).toMillis();
}

/** `18/08/2024 03:14:10`: an ISO time shown in Paris time. */
export function parisShown(iso: string): string {
  const ms = plainIsoMs(iso);
  const w = ms === null ? null : wall(ms);
  if (!w) return DateTime.fromISO(iso, { setZone: true }).setZone(ZONE).toFormat('dd/MM/yyyy HH:mm:ss');
  return `${pad2(w.d)}/${pad2(w.mo)}/${w.y} ${pad2(w.h)}:${pad2(w.mi)}:${pad2(w.s)}`;
}

/** `2024-08-18`: the Paris day of an ISO time. */
export function parisDayOf(iso: string): string {
  const ms = plainIsoMs(iso);
  const w = ms === null ? null : wall(ms);
  if (!w) return DateTime.fromISO(iso, { setZone: true }).setZone(ZONE).toFormat('yyyy-MM-dd');
  return `${w.y}-${pad2(w.mo)}-${pad2(w.d)}`;
}
