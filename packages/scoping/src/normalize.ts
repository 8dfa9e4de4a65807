// French-aware normalisers: every comparison in the resolver works on these keys, never on raw text.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

const PARTICLES = new Set(['DE', 'DU', 'DES', 'LE', 'LA', 'LES', 'D', 'L', 'VAN', 'VON', 'DER', 'DEN', 'DI', 'DA', 'DEL', 'DELLA', 'EPOUSE', 'EP', 'VEUVE', 'VVE', 'NEE']);

export function stripAccents(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/Œ/g, 'OE').replace(/œ/g, 'oe').replace(/Æ/g, 'AE').replace(/æ/g, 'ae').replace(/ß/g, 'ss');
}

/** Upper case, no accents, apostrophes/hyphens/punctuation as spaces, single spaces. */
export function normText(text: string | undefined): string {
  if (!text) return '';
  return stripAccents(text).toUpperCase().replace(/[^A-Z0-9]+/g, ' ').trim();
}

// Prepositions are often dropped when a name is typed; articles are usually kept glued ("LAFONTAINE").
const PREPOSITIONS = new Set(['DE', 'DU', 'DES', 'D', 'VAN', 'VON', 'DER', 'DEN', 'DI', 'DA', 'DEL', 'DELLA', 'EPOUSE', 'EP', 'VEUVE', 'VVE', 'NEE']);

/** Surname key: "de La Fontaine", "LA FONTAINE" and "Lafontaine" meet; "d'Almeida" is "ALMEIDA". */
export function surnameKey(text: string | undefined): string {
  const tokens = normText(text).split(' ').filter((t) => t && !PREPOSITIONS.has(t));
  return tokens.join('');
}

/** Surname tokens (particles dropped) for married / compound names: "DUPONT ep MARTIN". */
export function surnameTokens(text: string | undefined): string[] {
  return normText(text).split(' ').filter((t) => t.length > 1 && !PARTICLES.has(t));
}

/** First name: "Jean-Pierre", "Jean Pierre" → "JEANPIERRE"; initials "J-P", "JP", "J.P." → initials "JP". */
export function firstNameKey(text: string | undefined): { key: string; initials: string; isInitials: boolean } {
  const n = normText(text);
  if (!n) return { key: '', initials: '', isInitials: false };
  const tokens = n.split(' ');
  const isInitials = tokens.every((t) => t.length === 1) || (tokens.length === 1 && tokens[0]!.length <= 2 && !/[AEIOUY]/.test(tokens[0]!.slice(1)));
  const initials = isInitials ? tokens.join('') : tokens.map((t) => t[0]).join('');
  return { key: isInitials ? initials : tokens.join(''), initials, isInitials };
}

const ROAD: Record<string, string> = {
  R: 'RUE', BD: 'BOULEVARD', BLD: 'BOULEVARD', BVD: 'BOULEVARD', AV: 'AVENUE', AVE: 'AVENUE', PL: 'PLACE', CHE: 'CHEMIN', CH: 'CHEMIN', CHEM: 'CHEMIN',
  ALL: 'ALLEE', IMP: 'IMPASSE', RTE: 'ROUTE', FG: 'FAUBOURG', FBG: 'FAUBOURG', ST: 'SAINT', STE: 'SAINTE', SQ: 'SQUARE', QU: 'QUAI', CRS: 'COURS',
  PROM: 'PROMENADE', RES: 'RESIDENCE', LOT: 'LOTISSEMENT', HAM: 'HAMEAU', PASS: 'PASSAGE', CITE: 'CITE', GAL: 'GENERAL', MAL: 'MARECHAL', PDT: 'PRESIDENT',
};

/** Street address with the usual French abbreviations expanded; "bis/ter" kept. */
export function addressKey(text: string | undefined): string {
  const n = normText(text);
  if (!n) return '';
  return n.split(' ').map((t) => ROAD[t] ?? t).join(' ');
}

export function postcodeKey(text: string | undefined): string {
  const digits = (text ?? '').replace(/\D/g, '');
  return digits.length === 5 ? digits : digits.length === 4 ? `0${digits}` : '';
}

export function emailKey(text: string | undefined): string {
  const t = (text ?? '').trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[a-z0-9-]{2,}$/.test(t) ? t : '';
}

export function plateKey(text: string | undefined): string {
  return normText(text).replace(/ /g, '');
}

export interface Phone { e164: string; mobile: boolean }

// Overseas departments use their own country codes in libphonenumber; a national number such as
// 0690… is only valid read as Guadeloupe, so they are tried after metropolitan France.
const REGIONS: CountryCode[] = ['FR', 'GP', 'MQ', 'GF', 'RE', 'YT', 'PM', 'BL', 'MF', 'NC', 'PF', 'WF'];

export function phoneKey(text: string | undefined): Phone | null {
  const raw = (text ?? '').trim();
  if (!raw || raw.replace(/\D/g, '').length < 6) return null;
  const cleaned = raw.replace(/^00/, '+');
  for (const region of REGIONS) {
    const p = parsePhoneNumberFromString(cleaned, region);
    if (p && p.isValid()) {
      const type = p.getType();
      return { e164: p.number, mobile: type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE' };
    }
    if (cleaned.startsWith('+')) break;
  }
  return null;
}

/** Jaro–Winkler similarity, used for surname and first-name typos. */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (!la || !lb) return 0;
  const range = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  const ma = new Uint8Array(la);
  const mb = new Uint8Array(lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - range);
    const hi = Math.min(lb - 1, i + range);
    for (let j = lo; j <= hi; j++) {
      if (!mb[j] && a.charCodeAt(i) === b.charCodeAt(j)) { ma[i] = 1; mb[j] = 1; matches++; break; }
    }
  }
  if (!matches) return 0;
  let t = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (!ma[i]) continue;
    while (!mb[k]) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) t++;
    k++;
  }
  const jaro = (matches / la + matches / lb + (matches - t / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** Birth dates "yyyy-MM-dd": equal, one plausible keying slip (one digit, day/month swapped), or different. */
export function birthCloseness(a: string, b: string): 0 | 1 | 2 {
  if (a === b) return 0;
  if (a.length !== 10 || b.length !== 10) return 2;
  let diff = 0;
  for (let i = 0; i < 10; i++) if (a[i] !== b[i]) diff++;
  if (diff === 1) return 1;
  if (a.slice(0, 4) === b.slice(0, 4) && a.slice(5, 7) === b.slice(8, 10) && a.slice(8, 10) === b.slice(5, 7)) return 1;
  return 2;
}
