// French formatting shared by every document: dates in Europe/Paris, numbers with spaces.
const TZ = 'Europe/Paris';
// Built once: constructing an Intl formatter costs far more than using it (a register has thousands of dates).
const DATE = new Intl.DateTimeFormat('fr-FR', { timeZone: TZ, day: '2-digit', month: '2-digit', year: 'numeric' });
const TIME = new Intl.DateTimeFormat('fr-FR', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const LONG = new Intl.DateTimeFormat('fr-FR', { timeZone: TZ, day: 'numeric', month: 'long', year: 'numeric' });

function valid(value: Date | string | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "28/03/2026 à 18 h 40", Paris time whatever the server's zone. */
export function parisDateTime(value: Date | string | null | undefined): string {
  const d = valid(value);
  if (!d) return '';
  return `${DATE.format(d)} à ${TIME.format(d).replace(':', ' h ')}`;
}

/** "28/03/2026". */
export function parisDate(value: Date | string | null | undefined): string {
  const d = valid(value);
  if (!d) return '';
  return new Intl.DateTimeFormat('fr-FR', { timeZone: TZ, day: '2-digit', month: '2-digit', year: 'numeric' }).format(d);
}

/** "28 mars 2026", "1er avril 2026": how a letter to the public writes a date. */
export function parisLongDate(value: Date | string | null | undefined): string {
  const d = valid(value);
  if (!d) return '';
  const parts = LONG.formatToParts(d);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = get('day');
  return `${day === '1' ? '1er' : day} ${get('month')} ${get('year')}`;
}

/** 10000 → "10 000" with a plain space, which every PDF font and every reader handles. */
export function frNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  const sign = value < 0 ? '-' : '';
  // eslint-disable-next-line security/detect-unsafe-regex -- applied to a string of digits only, bounded by Number
  return sign + String(Math.abs(Math.round(value))).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}
