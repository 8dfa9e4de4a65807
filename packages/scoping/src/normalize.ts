// French-aware normalisers: every comparison in the resolver works on these keys, never on raw text.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

const PARTICLES = new Set(['DE', 'DU', 'DES', 'LE', 'LA', 'LES', 'D', 'L', 'VAN', 'VON', 'DER', 'DEN', 'DI', 'DA', 'DEL', 'DELLA', 'EPOUSE', 'EP', 'VEUVE', 'VVE', 'NEE']);

export function stripAccents(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/Œ/g, 'OE').replace(/œ/g, 'oe').replace(/Æ/g, 'AE').replace(/æ/g, 'ae').replace(/ß/g, 'ss');
}

/**
 * Longest value read as a name, street address or plate. Anything longer is not one (a pasted
 * paragraph, a corrupted cell) and is treated as missing, which also keeps string comparisons
 * linear in the number of records whatever the input.
 */
export const MAX_NAME_LENGTH = 200;
const tooLong = (text: string | undefined, max = MAX_NAME_LENGTH) => !!text && text.length > max;

/** Upper case, no accents, apostrophes/hyphens/punctuation as spaces, single spaces. */
export function normText(text: string | undefined): string {
  if (!text) return '';
  return stripAccents(text).toUpperCase().replace(/[^A-Z0-9]+/g, ' ').trim();
}

/** A short label compared as text (birth place, occupation): normText, or '' beyond a name's length. */
export function labelKey(text: string | undefined): string {
  return tooLong(text) ? '' : normText(text);
}

// Prepositions are often dropped when a name is typed; articles are usually kept glued ("LAFONTAINE").
const PREPOSITIONS = new Set(['DE', 'DU', 'DES', 'D', 'VAN', 'VON', 'DER', 'DEN', 'DI', 'DA', 'DEL', 'DELLA', 'EPOUSE', 'EP', 'VEUVE', 'VVE', 'NEE']);

/** Surname key: "de La Fontaine", "LA FONTAINE" and "Lafontaine" meet; "d'Almeida" is "ALMEIDA". */
export function surnameKey(text: string | undefined): string {
  if (tooLong(text)) return '';
  const tokens = normText(text).split(' ').filter((t) => t && !PREPOSITIONS.has(t));
  return tokens.join('');
}

/** Surname tokens (particles dropped) for married / compound names: "DUPONT ep MARTIN". */
export function surnameTokens(text: string | undefined): string[] {
  if (tooLong(text)) return [];
  return normText(text).split(' ').filter((t) => t.length > 1 && !PARTICLES.has(t));
}

/** First name: "Jean-Pierre", "Jean Pierre" → "JEANPIERRE"; initials "J-P", "JP", "J.P." → initials "JP". */
export function firstNameKey(text: string | undefined): { key: string; initials: string; isInitials: boolean } {
  if (tooLong(text)) return { key: '', initials: '', isInitials: false };
  const all = normText(text).split(' ').filter(Boolean);
  const named = all.filter((t) => !TITLES.has(t) && !/^\d/.test(t));
  // "M. Jean" is Jean and "Sir" alone is no first name, but "M-A" is Marc-Antoine's initials.
  const n = (named.some((t) => t.length > 1) ? named : !named.length && all.some((t) => t.length > 1) ? [] : all).join(' ');
  if (!n) return { key: '', initials: '', isInitials: false };
  const tokens = n.split(' ');
  const isInitials = tokens.every((t) => t.length === 1) || (tokens.length === 1 && tokens[0]!.length <= 2 && !/[AEIOUY]/.test(tokens[0]!.slice(1)));
  const initials = isInitials ? tokens.join('') : tokens.map((t) => t[0]).join('');
  return { key: isInitials ? initials : tokens.join(''), initials, isInitials };
}

// Civilities, honorifics and ranks typed in the first-name field ("M.", "Mme", "Sir", "Maj.-Gen."):
// they say nothing about who the person is, so they are dropped before comparing first names.
const TITLES = new Set([
  'M', 'MR', 'MME', 'MMES', 'MLLE', 'MELLE', 'MM', 'MRS', 'MS', 'MISS', 'DR', 'PR', 'ME', 'MGR', 'SIR', 'DAME', 'LORD', 'LADY', 'REV', 'FR',
  'CAPT', 'CAPTAIN', 'COL', 'GEN', 'MAJ', 'LT', 'ADM', 'SGT', 'CPL', 'EARL', 'BARON', 'BARONESS', 'COUNT', 'COUNTESS', 'DUKE', 'DUCHESS', 'BT', 'BART', 'KT',
  'ST', 'HON', 'RT', 'JR', 'SR', 'VEUVE', 'VVE', 'EPOUSE', 'EP',
]);

// First names that are the same person's name written another way: hypocoristics and spellings
// (French and English, since extracts hold both and the public benchmark is English). Typos are left
// to Jaro–Winkler; this table is for forms no string distance relates (Bill/William, Jeannot/Jean).
const NAME_GROUPS: string[][] = [
  ['WILLIAM', 'BILL', 'BILLY', 'WILL', 'WILLIE', 'WILLY', 'LIAM', 'GWILYM', 'GUILLAUME'],
  ['ROBERT', 'BOB', 'BOBBY', 'ROB', 'ROBBIE', 'BERT', 'BOBBIE'], ['RICHARD', 'DICK', 'RICK', 'RICKY', 'RICH', 'DICKIE'],
  ['JAMES', 'JIM', 'JIMMY', 'JAMIE', 'JIMMIE', 'JEM', 'JACQUES', 'JACKY'], ['JOHN', 'JACK', 'JOHNNY', 'JOCK', 'JAN', 'IAN', 'SEAN', 'JEAN', 'JEANNOT'],
  ['MICHAEL', 'MIKE', 'MICK', 'MICKEY', 'MIKEY', 'MICHEL', 'MIMI'], ['ALEXANDER', 'ALEX', 'ALEXANDRE', 'ALEC', 'SANDY', 'ALASDAIR', 'ALISTAIR', 'ALASTAIR'],
  ['FRANCIS', 'FRANK', 'FRANKIE', 'FRANCOIS', 'FRANCK', 'FRANZ'], ['FRANCES', 'FANNY', 'FRANCOISE', 'FANFAN'],
  ['ELIZABETH', 'ELISABETH', 'LIZ', 'LIZZIE', 'BETH', 'BETTY', 'BESS', 'BESSIE', 'ELIZA', 'ELSIE', 'LIBBY', 'BETSY', 'LISA', 'LISE', 'BABETTE', 'ISABELLE', 'ISABEL', 'ISOBEL', 'ISABELLA'],
  ['MARGARET', 'MAGGIE', 'MEG', 'PEGGY', 'MARGERY', 'MARJORIE', 'DAISY', 'GRETA', 'MARGOT', 'MARGUERITE', 'MAGALI'],
  ['CATHERINE', 'KATHERINE', 'KATHARINE', 'CATHARINE', 'KATE', 'KATIE', 'KATHY', 'CATHY', 'KITTY', 'KIT', 'CATHIE'],
  ['HENRY', 'HARRY', 'HANK', 'HENRI', 'RICO'], ['EDWARD', 'ED', 'EDDIE', 'TED', 'TEDDY', 'NED', 'EDOUARD'], ['EDMUND', 'EDMOND', 'ED', 'NED'],
  ['THOMAS', 'TOM', 'TOMMY', 'THOM'], ['CHARLES', 'CHARLIE', 'CHARLEY', 'CHAS', 'CHUCK', 'CAROLUS'], ['GEORGE', 'GEORGES', 'GEORDIE', 'GEORG', 'JORGE'],
  ['JOSEPH', 'JOE', 'JOEY', 'JOSE', 'JO', 'JOJO'], ['SAMUEL', 'SAM', 'SAMMY'], ['BENJAMIN', 'BEN', 'BENNY', 'BENJI'], ['DANIEL', 'DAN', 'DANNY', 'DANY'],
  ['DAVID', 'DAVE', 'DAVY', 'DAI'], ['ANTHONY', 'TONY', 'ANTOINE', 'ANTONIO', 'TONIO'], ['PETER', 'PETE', 'PIERRE', 'PIERROT', 'PIETRO', 'PEDRO'],
  ['PATRICK', 'PAT', 'PADDY', 'PATRICE'], ['NICHOLAS', 'NICOLAS', 'NICK', 'NICKY', 'NICO', 'COLIN'], ['STEPHEN', 'STEVEN', 'STEVE', 'STEPHANE', 'ETIENNE'],
  ['ANDREW', 'ANDY', 'DREW', 'ANDRE'], ['MATTHEW', 'MATT', 'MATTHIEU', 'MATHIEU', 'MATHIAS'], ['PHILIP', 'PHILLIP', 'PHIL', 'PHILIPPE', 'PIP'],
  ['ARTHUR', 'ART', 'ARTIE'], ['ALBERT', 'AL', 'BERTIE'], ['ALFRED', 'ALF', 'ALFIE', 'FRED'], ['FREDERICK', 'FREDERIC', 'FRED', 'FREDDIE', 'FREDDY', 'FRITZ'],
  ['HERBERT', 'HERB', 'BERT'], ['HUBERT', 'HUGH', 'HUGHIE', 'HUGUES', 'HUGO'], ['LAWRENCE', 'LAURENCE', 'LARRY', 'LAURENT', 'LOLO'],
  ['LEONARD', 'LEN', 'LENNY', 'LEO', 'LEON'], ['GERALD', 'GERRY', 'JERRY', 'GERARD'], ['RONALD', 'RON', 'RONNIE'], ['DONALD', 'DON', 'DONNIE'],
  ['KENNETH', 'KEN', 'KENNY'], ['RAYMOND', 'RAY'], ['REGINALD', 'REG', 'REGGIE'], ['WALTER', 'WALT', 'WALLY', 'GAUTIER'], ['HAROLD', 'HAL', 'HARRY'],
  ['TIMOTHY', 'TIM', 'TIMMY'], ['CHRISTOPHER', 'CHRIS', 'KIT', 'CHRISTOPHE', 'KRIS'], ['CHRISTIAN', 'CHRIS'], ['CHRISTINE', 'CHRISTINA', 'CHRIS', 'TINA', 'KRISTINE'],
  ['MARY', 'MARIE', 'MOLLY', 'POLLY', 'MAY', 'MAMIE', 'MARIA', 'MIA', 'MARION', 'MANON'], ['ANNE', 'ANN', 'ANNA', 'ANNIE', 'NAN', 'NANCY', 'ANNETTE', 'NANETTE'],
  ['SARAH', 'SARA', 'SALLY', 'SADIE'], ['SUSAN', 'SUSANNAH', 'SUZANNE', 'SUSANNE', 'SUE', 'SUSIE', 'SUZY', 'SUZETTE'], ['DOROTHY', 'DOT', 'DOTTY', 'DOLLY', 'DOROTHEE'],
  ['ELEANOR', 'ELINOR', 'NELL', 'NELLY', 'NELLIE', 'ELLIE', 'ELLA', 'LEONOR', 'ELEONORE', 'ALIENOR'], ['HELEN', 'HELENE', 'ELLEN', 'NELL', 'LENA'],
  ['JANE', 'JANET', 'JENNY', 'JEANNE', 'JEANNETTE', 'JEANINE', 'JANINE', 'JOHANNA', 'JOAN', 'JOANNA', 'JOANNE'], ['JENNIFER', 'JENNY', 'JEN'],
  ['ABIGAIL', 'ABBY', 'NABBY'], ['AGNES', 'AGGIE', 'NESSA'], ['ALICE', 'ALICIA', 'ALLIE'], ['EMILY', 'EMILIE', 'EMMA', 'EMMIE', 'MILLIE'],
  ['MATILDA', 'MATHILDE', 'MAUD', 'MAUDE', 'TILLY', 'TILDA'], ['LOUISA', 'LOUISE', 'LOU', 'LULU', 'LOUISON'], ['LOUIS', 'LOU', 'LEWIS', 'LUIGI', 'LUIS', 'LOULOU'],
  ['RODOLPHE', 'RUDOLPH', 'RUDY', 'RUDI', 'DOLPH'], ['ADOLPHE', 'ADOLF', 'DOLPH'], ['AUGUSTUS', 'AUGUSTE', 'AUGUSTIN', 'GUS', 'GUSSIE', 'AUGUSTINE'],
  ['VICTORIA', 'VICKY', 'VICKIE', 'VICTOIRE'], ['THEODORE', 'TED', 'TEDDY', 'THEO'], ['EUGENE', 'GENE'], ['EZEKIEL', 'ZEKE'], ['ISAAC', 'IKE'],
  ['JOSEPHINE', 'JOSIE', 'JOSEPHA', 'JO', 'FIFI'], ['MOHAMED', 'MOHAMMED', 'MOHAMMAD', 'MUHAMMAD', 'MOHAMMAD', 'MEHMET', 'MAMADOU', 'MOHAND', 'HAMID', 'MED'],
  ['ABDERRAHMANE', 'ABDERRAHMAN', 'ABDELRAHMAN', 'ABDOU'], ['GUILLAUME', 'WILLY'], ['JEANBAPTISTE', 'JB'], ['JEANCLAUDE', 'JC'],
  ['DOMINIQUE', 'DOM', 'DOUDOU'], ['CHRISTIANE', 'KIKI'], ['SEBASTIEN', 'SEB', 'SEBASTIAN', 'BASTIEN'], ['MAXIMILIEN', 'MAXIME', 'MAX'], ['NATHALIE', 'NATHALY', 'NATALIE', 'NATACHA', 'NATASHA'],
];
/** Distinct name words of a free name text (alias, full name as written): no titles, particles, initials or numbers. */
export function nameTokens(text: string | undefined): string[] {
  if (tooLong(text)) return [];
  return [...new Set(normText(text).split(' ').filter((t) => t.length > 1 && !TITLES.has(t) && !PARTICLES.has(t) && !/\d/.test(t)))].sort();
}

const NAME_GROUP = new Map<string, number[]>();
for (let g = 0; g < NAME_GROUPS.length; g++) for (const name of NAME_GROUPS[g]!) NAME_GROUP.set(name, [...(NAME_GROUP.get(name) ?? []), g]);

/**
 * True when b is a one-keystroke slip of a: one letter replaced, added or dropped, or two
 * neighbours swapped ("WZTTS" / "WATTS", "UMDERWOOD" / "UNDERWOOD"). Jaro–Winkler misses the
 * short ones: a replaced letter in a five-letter name scores 0.88.
 */
export function oneEdit(a: string, b: string): boolean {
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  if (la < lb) return oneEdit(b, a);
  // Char codes compared in place: this runs on millions of surname pairs at a million rows.
  let i = 0;
  while (i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === lb) return true;
  if (la > lb) return sameFrom(a, b, i + 1, i);
  return sameFrom(a, b, i + 1, i + 1) || (i + 1 < la && a.charCodeAt(i) === b.charCodeAt(i + 1) && a.charCodeAt(i + 1) === b.charCodeAt(i) && sameFrom(a, b, i + 2, i + 2));
}

/** a from x on equals b from y on (a no shorter than the rest of b); no closure per call, see oneEdit. */
function sameFrom(a: string, b: string, x: number, y: number): boolean {
  for (; x < a.length; x++, y++) if (a.charCodeAt(x) !== b.charCodeAt(y)) return false;
  return true;
}

/** The first group of known forms a first-name key belongs to, plus one (0: in none), for blocking. */
export function nameGroupOf(key: string): number {
  const g = NAME_GROUP.get(key);
  return g ? g[0]! + 1 : 0;
}

/** True when two first-name keys are known forms of one name (Bill/William, Jeannot/Jean, Mohamed/Muhammad). */
export function sameNameGroup(a: string, b: string): boolean {
  const ga = NAME_GROUP.get(a);
  const gb = ga && NAME_GROUP.get(b);
  return !!gb && ga.some((g) => gb.includes(g));
}

const ROAD: Record<string, string> = {
  R: 'RUE', BD: 'BOULEVARD', BLD: 'BOULEVARD', BVD: 'BOULEVARD', AV: 'AVENUE', AVE: 'AVENUE', PL: 'PLACE', CHE: 'CHEMIN', CH: 'CHEMIN', CHEM: 'CHEMIN',
  ALL: 'ALLEE', IMP: 'IMPASSE', RTE: 'ROUTE', FG: 'FAUBOURG', FBG: 'FAUBOURG', ST: 'SAINT', STE: 'SAINTE', SQ: 'SQUARE', QU: 'QUAI', CRS: 'COURS',
  PROM: 'PROMENADE', RES: 'RESIDENCE', LOT: 'LOTISSEMENT', HAM: 'HAMEAU', PASS: 'PASSAGE', CITE: 'CITE', GAL: 'GENERAL', MAL: 'MARECHAL', PDT: 'PRESIDENT',
};

/** Street address with the usual French abbreviations expanded; "bis/ter" kept. */
export function addressKey(text: string | undefined): string {
  if (tooLong(text)) return '';
  const n = normText(text);
  if (!n) return '';
  return n.split(' ').map((t) => ROAD[t] ?? t).join(' ');
}

// Sex or civility as exports write it ("M.", "Mme", "Monsieur", "Femme", "H", "male"); anything else
// (blank, "female | male", a code) is unknown rather than a guess.
const GENDER: Record<string, 'M' | 'F'> = {
  M: 'M', MR: 'M', MONSIEUR: 'M', H: 'M', HOMME: 'M', MASCULIN: 'M', MASC: 'M', MALE: 'M', MAN: 'M', GARCON: 'M',
  F: 'F', MME: 'F', MLLE: 'F', MELLE: 'F', MADAME: 'F', MADEMOISELLE: 'F', FEMME: 'F', FEMININ: 'F', FEM: 'F', FEMALE: 'F', WOMAN: 'F', FILLE: 'F', MRS: 'F', MS: 'F', MISS: 'F',
};

/** 'M', 'F' or '' from a sex or civility field. */
export function genderKey(text: string | undefined): '' | 'M' | 'F' {
  if (tooLong(text, 20)) return '';
  return GENDER[normText(text)] ?? '';
}

export function postcodeKey(text: string | undefined): string {
  if (tooLong(text, 20)) return '';
  const digits = (text ?? '').replace(/\D/g, '');
  return digits.length === 5 ? digits : digits.length === 4 ? `0${digits}` : '';
}

export function emailKey(text: string | undefined): string {
  // RFC 5321 caps an address at 254 characters; the cap also bounds the regular expression's work.
  if (tooLong(text, 254)) return '';
  const t = (text ?? '').trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[a-z0-9-]{2,}$/.test(t) ? t : '';
}

export function plateKey(text: string | undefined): string {
  if (tooLong(text, 32)) return '';
  return normText(text).replace(/ /g, '');
}

export interface Phone { e164: string; mobile: boolean }

// Overseas departments use their own country codes in libphonenumber; a national number such as
// 0690… is only valid read as Guadeloupe, so they are tried after metropolitan France.
const REGIONS: CountryCode[] = ['FR', 'GP', 'MQ', 'GF', 'RE', 'YT', 'PM', 'BL', 'MF', 'NC', 'PF', 'WF'];

export function phoneKey(text: string | undefined): Phone | null {
  const raw = (text ?? '').trim();
  if (!raw || raw.length > 40 || raw.replace(/\D/g, '').length < 6) return null;
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

// Match flags stamped with a call number, so the buffers are never cleared nor allocated: the
// resolver calls this tens of millions of times on a million rows.
let jwA = new Int32Array(64);
let jwB = new Int32Array(64);
let jwStamp = 0;
let jwHist = new Int32Array(128);

/**
 * Jaro–Winkler similarity, used for surname and first-name typos. With `floor`, any value below it
 * may be returned as 0 (a cheap bound rejects most unrelated pairs without the full computation).
 */
export function jaroWinkler(a: string, b: string, floor = 0): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (!la || !lb) return 0;
  if (la > jwA.length || lb > jwB.length) { jwA = new Int32Array(Math.max(la, lb) * 2); jwB = new Int32Array(Math.max(la, lb) * 2); jwStamp = 0; }
  if (jwStamp > 0x3fffffff) { jwA.fill(0); jwB.fill(0); jwStamp = 0; }
  const stamp = ++jwStamp;
  const ma = jwA;
  const mb = jwB;
  const range = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  if (floor > 0) {
    // Upper bound first: matched characters cannot exceed the letters the two strings share, and
    // the Winkler bonus cannot exceed what the common prefix gives. Most pairs stop here.
    let prefix = 0;
    while (prefix < 4 && prefix < la && prefix < lb && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
    if (jwHist.length < 128) jwHist = new Int32Array(128);
    for (let i = 0; i < lb; i++) jwHist[b.charCodeAt(i) & 127]!++;
    let shared = 0;
    for (let i = 0; i < la; i++) { const c = a.charCodeAt(i) & 127; if (jwHist[c]! > 0) { jwHist[c]!--; shared++; } }
    for (let i = 0; i < lb; i++) jwHist[b.charCodeAt(i) & 127] = 0;
    const jaroMax = (shared / la + shared / lb + 1) / 3;
    if (jaroMax + prefix * 0.1 * (1 - jaroMax) < floor) return 0;
  }
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = i > range ? i - range : 0;
    const hi = i + range < lb - 1 ? i + range : lb - 1;
    const ch = a.charCodeAt(i);
    for (let j = lo; j <= hi; j++) {
      if (mb[j] !== stamp && ch === b.charCodeAt(j)) { ma[i] = stamp; mb[j] = stamp; matches++; break; }
    }
  }
  if (!matches) return 0;
  let t = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (ma[i] !== stamp) continue;
    while (mb[k] !== stamp) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) t++;
    k++;
  }
  const jaro = (matches / la + matches / lb + (matches - t / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** Birth dates "yyyy-MM-dd": equal, one plausible keying slip (one digit, day/month swapped), or different. */
export function birthCloseness(a: string, b: string): 0 | 1 | 2 {
  if (a === b) return 0;
  if (a.length !== 10 || b.length !== 10) return 2;
  // Character codes, not slices: called for millions of pairs, it must not allocate.
  let diff = 0;
  for (let i = 0; i < 10; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) diff++;
  if (diff === 1) return 1;
  for (let i = 0; i < 4; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return 2;
  // day and month swapped: yyyy-MM-dd against yyyy-dd-MM
  return a.charCodeAt(5) === b.charCodeAt(8) && a.charCodeAt(6) === b.charCodeAt(9) && a.charCodeAt(8) === b.charCodeAt(5) && a.charCodeAt(9) === b.charCodeAt(6) ? 1 : 2;
}

/**
 * A birth date (yyyy-MM-dd) as it can be: a date after `today` is impossible, and almost always a
 * two-digit year read in the wrong century ("19/1/42" read 2042), so it is moved back a century;
 * one still in the future, or before 1870, is dropped (null).
 */
export function birthDateKey(iso: string | undefined, today: string): string | null {
  if (!iso || !/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(iso)) return null;
  let d = iso;
  if (d > today) d = `${String(Number(d.slice(0, 4)) - 100).padStart(4, '0')}${d.slice(4)}`;
  return d > today || d < '1870' ? null : d;
}
