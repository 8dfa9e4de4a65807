// Person resolution: multi-key blocking capped by a sorted-neighbourhood window, Fellegi–Sunter with parameters estimated from the data
// (u from random pairs, m by EM), term-frequency adjusted name weights, and clustering that refuses
// merges contradicting what a cluster already holds (birth dates, first names).
import { birthCloseness, firstNameKey, jaroWinkler, nameGroupOf, nameTokens, oneEdit, sameNameGroup, surnameKey, surnameTokens, normText } from './normalize.ts';

export interface PersonInput {
  last_name?: string;
  first_name?: string;
  birth_date?: string; // yyyy-MM-dd
  phone?: string; // E.164
  email?: string;
  address?: string; // normalised
  postcode?: string;
  /** normalised (normText) */
  birth_place?: string;
  /** 'M' or 'F' (genderKey) */
  gender?: string;
  /** normalised (normText) */
  occupation?: string;
  /** other names of the person as written (alias, birth name, full name with middle names), raw text */
  other_names?: string;
}

export const FIELDS = ['last_name', 'first_name', 'birth_date', 'phone', 'email', 'address', 'birth_place', 'gender', 'occupation', 'other_names'] as const;
export type Field = (typeof FIELDS)[number];
// Level names per field, index = level; the last level of every field is "missing" (no evidence).
export const LEVELS: Record<Field, string[]> = {
  last_name: ['identique', 'proche', 'différent', 'absent'],
  first_name: ['identique', 'compatible', 'proche', 'différent', 'absent'],
  birth_date: ['identique', 'une faute de frappe', 'même année', 'différente', 'absente'],
  phone: ['identique', 'différent', 'absent'],
  email: ['identique', 'différent', 'absent'],
  address: ['identique', 'même code postal', 'code postal proche', 'différente', 'absente'],
  birth_place: ['identique', 'proche', 'différent', 'absent'],
  gender: ['identique', 'différent', 'absent'],
  occupation: ['identique', 'différente', 'absente'],
  other_names: ['plusieurs en commun', 'un en commun', 'aucun en commun', 'absents'],
};
/** French names of the fields, for explanations (review.csv). */
export const FIELD_LABELS: Record<Field, string> = {
  last_name: 'nom', first_name: 'prénom', birth_date: 'date de naissance', phone: 'téléphone', email: 'courriel', address: 'adresse',
  birth_place: 'lieu de naissance', gender: 'sexe', occupation: 'profession', other_names: 'autres noms',
};
const NF = FIELDS.length;
const RADIX = FIELDS.map((f) => LEVELS[f].length);
// Birth-date levels.
const B_SAME = 0; const B_TYPO = 1; const B_YEAR = 2; const B_DIFF = 3; const B_NONE = 4;
/** Values per record in Columns.packed: the fields' interned ids, padded to a 64-byte cache line. */
const STRIDE = 16;
const PATTERNS = RADIX.reduce((x, y) => x * y, 1);

export interface ResolveOptions {
  /**
   * Match probability at or above which two records are merged (default 0.5: more likely the same
   * person than not; the probability uses the chance that two random records match as its prior).
   */
  threshold?: number;
  /** Strict and loose thresholds that bound the person count (defaults 0.99 and 0.1). */
  strict?: number;
  loose?: number;
  /**
   * Sorted-neighbourhood window: inside a blocking key, records are sorted on another field and each
   * is compared with its `window` neighbours on each side (default 10). Blocks no larger than the
   * window are compared exhaustively, so small extracts lose nothing; big blocks ("MARTIN M") cost
   * n·window instead of n².
   */
  window?: number;
  signal?: AbortSignal;
  onProgress?: (stage: string, done: number, total: number) => void;
  seed?: number;
  /** Refuse merging clusters whose first names are incompatible (default true). */
  refuseFirstNameConflicts?: boolean;
}

export interface FieldEvidence { field: Field; level: string; weight: number }
export interface ScoredPair {
  a: number; b: number; probability: number; weight: number; evidence: FieldEvidence[]; refused?: string;
  /** set when the pair merged in the second pass: a lone record attached to the one person it matches */
  attached?: string;
}
const ATTACHED = 'fiche isolée rattachée à la seule personne qui lui correspond nettement';
const ATTACHED_BY_UNION = `${ATTACHED}, d'après l'ensemble de ses fiches`;

export interface Resolution {
  /** cluster index per record, clusters numbered by their first record */
  clusterOf: Int32Array;
  clusters: number;
  clustersStrict: number;
  clustersLoose: number;
  review: ScoredPair[];
  /** strongest accepted link per record into its cluster (record → explanation) */
  explain: (a: number, b: number) => ScoredPair;
  /** lambda: the chance that two random records match (the prior); m and u per field and level. */
  /**
   * `blocksWindowed`: blocks larger than their key's window, whose records were compared with their
   * neighbours only; `blocksSkipped`: blocks of keys that say nothing when common (a postcode, a
   * first name with a day of the year) larger than the window, left out. Both count blocks of two records or more, summed over the keys.
   */
  parameters: { lambda: number; m: number[][]; u: number[][]; pairsCompared: number; blocksSkipped: number; blocksWindowed: number };
}

/** Interned values: id 0 is "missing", so equality of two records is one integer comparison. */
class Vocab {
  ids = new Map<string, number>();
  values: string[] = [''];
  id(s: string): number {
    if (!s) return 0;
    let id = this.ids.get(s);
    if (id === undefined) { id = this.values.length; this.values.push(s); this.ids.set(s, id); }
    return id;
  }
}

/** Records as columns of interned ids: a million rows cost a few typed arrays, not a million objects. */
class Columns {
  readonly n: number;
  last: Int32Array; first: Int32Array; birth: Int32Array; phone: Int32Array; email: Int32Array; addr: Int32Array; postcode: Int32Array; place: Int32Array;
  gender: Int32Array; occupation: Int32Array;
  lastV = new Vocab(); firstV = new Vocab(); birthV = new Vocab(); phoneV = new Vocab(); emailV = new Vocab(); addrV = new Vocab(); postcodeV = new Vocab();
  placeV = new Vocab(); genderV = new Vocab(); occupationV = new Vocab();
  /**
   * Other names: per record the words its other names add to its own first and last names (interned
   * as one string), and per first-name id its words; empty for almost every record of most extracts.
   */
  extraV = new Vocab(); extraTokens: string[][] = [[]]; firstTokens: string[][] = [[]];
  lastTokens: string[][] = [[]];
  firstInit: string[] = ['']; firstIsInit: boolean[] = [false]; firstNorm: string[] = [''];
  // The same text read as the other kind of name, to recognise first and last names swapped.
  firstAsLast: string[] = ['']; lastAsFirst: string[] = [''];
  /**
   * The same ids packed per record (STRIDE): comparing a record with a random other one then
   * touches one cache line instead of ten arrays, which is what bounds speed at a million rows.
   */
  packed: Int32Array;
  constructor(people: PersonInput[]) {
    const n = (this.n = people.length);
    this.last = new Int32Array(n); this.first = new Int32Array(n); this.birth = new Int32Array(n); this.phone = new Int32Array(n);
    this.email = new Int32Array(n); this.addr = new Int32Array(n); this.postcode = new Int32Array(n);
    this.place = new Int32Array(n); this.gender = new Int32Array(n); this.occupation = new Int32Array(n);
    this.packed = new Int32Array(n * STRIDE);
    // Raw spellings repeat a lot; normalise each distinct spelling once.
    const rawLast = new Map<string, number>();
    const rawFirst = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const p = people[i]!;
      const rl = p.last_name ?? '';
      let l = rawLast.get(rl);
      if (l === undefined) {
        const key = surnameKey(rl);
        l = this.lastV.id(key);
        if (l === this.lastTokens.length) { this.lastTokens.push(surnameTokens(rl)); this.lastAsFirst.push(firstNameKey(rl).key); }
        rawLast.set(rl, l);
      }
      this.last[i] = l;
      const rf = p.first_name ?? '';
      let f = rawFirst.get(rf);
      if (f === undefined) {
        const k = firstNameKey(rf);
        f = this.firstV.id(k.key);
        if (f === this.firstInit.length) { this.firstInit.push(k.initials); this.firstIsInit.push(k.isInitials); this.firstNorm.push(normText(rf).split(' ')[0] ?? ''); this.firstAsLast.push(surnameKey(rf)); this.firstTokens.push(nameTokens(rf)); }
        rawFirst.set(rf, f);
      }
      this.first[i] = f;
      this.birth[i] = this.birthV.id(p.birth_date ?? '');
      this.phone[i] = this.phoneV.id(p.phone ?? '');
      this.email[i] = this.emailV.id(p.email ?? '');
      this.addr[i] = this.addrV.id(p.address ?? '');
      this.postcode[i] = this.postcodeV.id(p.postcode ?? '');
      this.place[i] = this.placeV.id(p.birth_place ?? '');
      this.gender[i] = this.genderV.id(p.gender ?? '');
      this.occupation[i] = this.occupationV.id(p.occupation ?? '');
      let extra = 0;
      if (p.other_names) {
        const own = new Set([...this.lastTokens[l]!, ...this.firstTokens[f]!]);
        const words = nameTokens(p.other_names).filter((t) => !own.has(t));
        extra = this.extraV.id(words.join(' '));
        if (extra === this.extraTokens.length) this.extraTokens.push(words);
      }
      const o = i * STRIDE;
      this.packed[o] = l; this.packed[o + 1] = f; this.packed[o + 2] = this.birth[i]!; this.packed[o + 3] = this.phone[i]!;
      this.packed[o + 4] = this.email[i]!; this.packed[o + 5] = this.addr[i]!; this.packed[o + 6] = this.postcode[i]!;
      this.packed[o + 7] = this.place[i]!; this.packed[o + 8] = this.gender[i]!; this.packed[o + 9] = this.occupation[i]!;
      this.packed[o + 10] = extra;
    }
  }
}

/**
 * A fixed-size, lossy memo of a symmetric function of two ids: a collision overwrites the slot, so
 * memory never grows and results stay exact (a miss only recomputes). Plain Maps keyed by pairs of
 * ids made the comparison stage allocation-bound at a million rows.
 */
class PairMemo {
  private a: Int32Array;
  private b: Int32Array;
  private v: Int8Array;
  private shift: number;
  constructor(private compute: (x: number, y: number) => number, bits = 18) {
    this.a = new Int32Array(1 << bits).fill(-1);
    this.b = new Int32Array(1 << bits);
    this.v = new Int8Array(1 << bits);
    this.shift = 32 - bits;
  }
  get(x: number, y: number): number {
    if (x > y) { const t = x; x = y; y = t; }
    const h = (Math.imul(x, 0x9e3779b1) ^ Math.imul(y, 0x85ebca77)) >>> this.shift;
    if (this.a[h] === x && this.b[h] === y) return this.v[h]!;
    const l = this.compute(x, y);
    this.a[h] = x; this.b[h] = y; this.v[h] = l;
    return l;
  }
}

// Surname parts shared by unrelated names (Saint-Martin, Saint-Pierre): not evidence of a compound name.
const COMMON_TOKENS = new Set(['SAINT', 'SAINTE', 'ST', 'STE', 'BEN', 'ABD', 'ABDEL', 'MAC', 'MC', 'FITZ', 'AIT', 'OULD']);

// First-name levels. F_FAR is internal: different and far apart (Jaro–Winkler < 0.7, or other
// initials), which clustering treats as a contradiction; the model sees it as F_DIFF.
/**
 * Second pass (a lone record joins one person): its best link must reach ATTACH_FLOOR (measured on
 * historical_50k: 87 % of the attachments from 0.2 are right, 74 % between 0.1 and 0.2) and beat its
 * link to any other person by ATTACH_MARGIN bits (16 to 1).
 */
const ATTACH_FLOOR = 0.2;
const ATTACH_MARGIN = 4;
/**
 * Persons of at most ATTACH_SIZE records take part in the second pass as pieces. Measured: pieces of
 * up to 3 records gave historical_50k 6,004 → 5,979 persons, but cost 23 % more CPU on the French
 * 200k (there almost every person is that small, so almost every candidate pair is scored again).
 */
const ATTACH_SIZE = 1;
/** Candidate persons weighed per piece in the second pass (its likeliest by their strongest link). */
const ATTACH_CANDIDATES = 4;
const CANDIDATE_FLOOR = 0.001;
/** Window of the keys on a name's last letters (sorted on the reversed name, see suffix3). */
const SUFFIX_WINDOW = 3;
const F_SAME = 0; const F_COMPAT = 1; const F_NEAR = 2; const F_DIFF = 3; const F_NONE = 4; const FIRST_FAR = 5;

function near(x: string, y: string): boolean {
  return x === y || (x.length > 0 && y.length > 0 && x.charCodeAt(0) === y.charCodeAt(0) && jaroWinkler(x, y, 0.9) >= 0.9);
}

/** The pattern code of a pair's levels (mixed radix over FIELDS). */
function encode(g: Uint8Array): number {
  let code = 0;
  for (let f = 0; f < NF; f++) code = code * RADIX[f]! + g[f]!;
  return code;
}

class Comparator {
  private firstMemo: PairMemo;
  private lastMemo: PairMemo;
  private placeMemo: PairMemo;
  private postcodeMemo: PairMemo;
  private birthNum: Int32Array;
  private firstAsLastC0: Int32Array;
  private lastC0: Int32Array;
  private lastPart: Int32Array;
  constructor(private c: Columns) {
    this.birthNum = Int32Array.from(c.birthV.values, (v) => (/^\d{4}-\d\d-\d\d$/.test(v) ? Number(v.replace(/-/g, '')) : -1));
    this.firstMemo = new PairMemo((x, y) => this.firstLevelOf(x, y));
    this.lastMemo = new PairMemo((x, y) => this.lastLevelOf(x, y), 22);
    // Per surname: its one telling part as an id (0 none, -1 several: compared as strings).
    const partV = new Vocab();
    this.lastPart = Int32Array.from(c.lastTokens, (ts) => {
      const telling = ts.filter((t) => t.length > 2 && !COMMON_TOKENS.has(t));
      return telling.length === 1 ? partV.id(telling[0]!) : telling.length ? -1 : 0;
    });
    this.placeMemo = new PairMemo((x, y) => this.placeLevelOf(x, y), 16);
    // Two postcodes one keystroke apart ("EN118AG" / "EN118AQ"): a slip, or a neighbouring area.
    this.postcodeMemo = new PairMemo((x, y) => { const a = c.postcodeV.values[x]!; const b = c.postcodeV.values[y]!; return a.length >= 4 && b.length >= 4 && oneEdit(a, b) ? 2 : 3; }, 16);
    // -1 and -2 for an empty value, so that two empty values never look alike.
    this.firstAsLastC0 = Int32Array.from(c.firstAsLast, (v) => (v ? v.charCodeAt(0) : -1));
    this.lastC0 = Int32Array.from(c.lastV.values, (v) => (v ? v.charCodeAt(0) : -2));
  }

  /**
   * Level of two different birth dates, on the digits of yyyymmdd numbers (no string touched in the
   * hot loop): a keying slip (one digit, day and month swapped), the same year (registers write a
   * date known only by its year as 1 January, or round it to the month), or different. Two such
   * 1 January dates that differ are two different years, not a slip: counted as slips, they made
   * u of the slip level ten times what it is for full dates (historical_50k: 0.0118 against 0.0012).
   */
  birthLevel(x: number, y: number): number {
    const a = this.birthNum[x]!;
    const b = this.birthNum[y]!;
    if (a < 0 || b < 0) return birthCloseness(this.c.birthV.values[x]!, this.c.birthV.values[y]!) === 1 ? B_TYPO : B_DIFF;
    let diff = 0;
    for (let p = a, q = b, k = 0; k < 8; k++, p = (p / 10) | 0, q = (q / 10) | 0) if (p % 10 !== q % 10) diff++;
    if (a % 10000 === 101 && b % 10000 === 101) return B_DIFF;
    if (diff === 1) return B_TYPO;
    if (((a / 10000) | 0) !== ((b / 10000) | 0)) return B_DIFF;
    return ((a / 100) | 0) % 100 === b % 100 && a % 100 === ((b / 100) | 0) % 100 ? B_TYPO : B_YEAR;
  }

  /** F_SAME … F_NONE, or FIRST_FAR. */
  firstIds(x: number, y: number): number {
    if (!x || !y) return F_NONE;
    if (x === y) return F_SAME;
    return this.firstMemo.get(x, y);
  }

  private firstLevelOf(x: number, y: number): number {
    const c = this.c;
    const a = c.firstV.values[x]!;
    const b = c.firstV.values[y]!;
    if (c.firstIsInit[x] || c.firstIsInit[y]) {
      const ia = c.firstInit[x]!;
      const ib = c.firstInit[y]!;
      // Initials only contradict on the first one: "M-C" may be a mistyped "Marie-lCaire".
      return ia === ib || ia.startsWith(ib) || ib.startsWith(ia) ? F_COMPAT : ia.charCodeAt(0) !== ib.charCodeAt(0) ? FIRST_FAR : F_DIFF;
    }
    // "JEAN" vs "JEANPIERRE": a compound name written in part
    if (a.startsWith(b) || b.startsWith(a)) return F_COMPAT;
    if (c.firstNorm[x] === c.firstNorm[y] && c.firstNorm[x]!.length > 2) return F_COMPAT;
    if (sameNameGroup(a, b)) return F_COMPAT;
    const jw = jaroWinkler(a, b);
    // Two slips on one name ("MECHELE" / "MICELE") still score about 0.75: only a lower similarity is a contradiction.
    return jw >= 0.9 ? F_COMPAT : jw >= 0.8 ? F_NEAR : jw >= 0.7 ? F_DIFF : FIRST_FAR;
  }

  lastIds(x: number, y: number): number {
    if (!x || !y) return 3;
    if (x === y) return 0;
    return this.lastMemo.get(x, y);
  }

  private lastLevelOf(x: number, y: number): number {
    // nom d'usage vs nom de naissance written together ("DUPONT MARTIN" vs "MARTIN")
    // A shared telling part, compared as interned ids: this runs on tens of millions of pairs at a million rows.
    const sa = this.lastPart[x]!;
    const sb = this.lastPart[y]!;
    if (sa > 0 && sb > 0) { if (sa === sb) return 1; } else if (sa < 0 && sb !== 0) {
      const tb = this.c.lastTokens[y]!;
      for (const t of this.c.lastTokens[x]!) if (t.length > 2 && !COMMON_TOKENS.has(t) && tb.includes(t)) return 1;
    } else if (sb < 0 && sa !== 0) {
      const ta = this.c.lastTokens[x]!;
      for (const t of this.c.lastTokens[y]!) if (t.length > 2 && !COMMON_TOKENS.has(t) && ta.includes(t)) return 1;
    }
    const a = this.c.lastV.values[x]!;
    const b = this.c.lastV.values[y]!;
    // One slip in a name of five letters or more; shorter ones ("ROY" / "REY") are other names.
    return jaroWinkler(a, b, 0.9) >= 0.9 || (a.length >= 5 && b.length >= 5 && oneEdit(a, b)) ? 1 : 2;
  }

  /**
   * The first name of one record is the other's surname: one of them may have its names swapped
   * (the other name may differ, written as initials), so their first names are no contradiction.
   */
  firstIsOthersLast(a: number, b: number): boolean {
    const c = this.c;
    const fa = c.first[a]!; const fb = c.first[b]!; const la = c.last[a]!; const lb = c.last[b]!;
    return (this.firstAsLastC0[fa] === this.lastC0[lb] && near(c.firstAsLast[fa]!, c.lastV.values[lb]!))
      || (this.firstAsLastC0[fb] === this.lastC0[la] && near(c.firstAsLast[fb]!, c.lastV.values[la]!));
  }

  /** One of the two records written with first and last name swapped (a typo allowed on each). */
  inverted(a: number, b: number): boolean {
    const c = this.c;
    const fa = c.firstAsLast[c.first[a]!]!;
    const fb = c.firstAsLast[c.first[b]!]!;
    const la = c.lastAsFirst[c.last[a]!]!;
    const lb = c.lastAsFirst[c.last[b]!]!;
    // a's first name is b's last name, and a's last name b's first name (when both are there)
    // near() needs the same first letter: compared on per-value codes before any string is touched.
    const ab = this.firstAsLastC0[c.first[a]!] === this.lastC0[c.last[b]!] && near(fa, c.lastV.values[c.last[b]!]!) && (!la || !c.first[b] || near(la, c.firstV.values[c.first[b]!]!));
    return ab || (this.firstAsLastC0[c.first[b]!] === this.lastC0[c.last[a]!] && near(fb, c.lastV.values[c.last[a]!]!) && (!lb || !c.first[a] || near(lb, c.firstV.values[c.first[a]!]!)));
  }

  gamma(a: number, b: number, out: Uint8Array): void {
    const c = this.c;
    const r = c.packed;
    const oa = a * STRIDE;
    const ob = b * STRIDE;
    let l = this.lastIds(r[oa]!, r[ob]!);
    let f = this.firstIds(r[oa + 1]!, r[ob + 1]!);
    if (f === FIRST_FAR) f = F_DIFF;
    const ba = r[oa + 2]!;
    const bb = r[ob + 2]!;
    const birth = !ba || !bb ? B_NONE : ba === bb ? B_SAME : this.birthLevel(ba, bb);
    // One name only, typed in the first-name field ("OWENS"), may be the other record's surname.
    if (l === 3 && f !== F_NONE && f !== F_SAME && this.firstIsOthersLast(a, b)) { l = 1; f = F_NONE; }
    this.nameLevels(a, b, l, f, birth, out);
    this.contactLevels(r, oa, ob, out);
  }

  /** Writes the surname, first-name and birth-date levels (slots 0–2) once the names are compared. */
  private nameLevels(a: number, b: number, l: number, f: number, birth: number, out: Uint8Array): void {
    if (l === 2 && (f === F_NEAR || f === F_DIFF) && this.inverted(a, b)) { l = 1; f = F_COMPAT; }
    // A different surname is a married name only with the same first name and birth date; with a
    // merely compatible first name or the same birth year it is two persons far more often than one
    // (the independence of fields assumed by Fellegi–Sunter fails exactly there). A birth date one
    // slip away stays a slip: demoted, random pairs (nearly all with different surnames) hid from u
    // how often two persons' dates are one digit apart, and the slip weighed too much between
    // homonyms (historical_50k precision 0.946 → 0.951, persons 5,795 → 5,790).
    if (l === 2 && (f === F_COMPAT || f === F_NEAR)) f = F_DIFF;
    if (l === 2 && birth === B_YEAR) birth = B_DIFF;
    out[0] = l;
    out[1] = f;
    out[2] = birth;
  }

  /** Birth place: the same, close (a typo, or one a part of the other: "BLICKLING" / "BLICKLING HALL"), or different. */
  private placeLevelOf(x: number, y: number): number {
    const a = this.c.placeV.values[x]!;
    const b = this.c.placeV.values[y]!;
    if (a.length > 3 && b.length > 3 && (a.startsWith(b) || b.startsWith(a))) return 1;
    // or the whole of one is words of the other ("DARWEN" / "BLACKBURN WITH DARWEN")
    if (a.length > 3 && b.length > 3 && (` ${a} `.includes(` ${b} `) || ` ${b} `.includes(` ${a} `))) return 1;
    return jaroWinkler(a, b, 0.9) >= 0.9 ? 1 : 2;
  }

  /** Levels of every field but the names and birth date (slots 3–9): interned ids compared, strings only for birth places. */
  private contactLevels(r: Int32Array, oa: number, ob: number, out: Uint8Array): void {
    const ta = r[oa + 3]!; const tb = r[ob + 3]!;
    out[3] = !ta || !tb ? 2 : ta === tb ? 0 : 1;
    const ea = r[oa + 4]!; const eb = r[ob + 4]!;
    out[4] = !ea || !eb ? 2 : ea === eb ? 0 : 1;
    const aa = r[oa + 5]!; const ab = r[ob + 5]!; const ca = r[oa + 6]!; const cb = r[ob + 6]!;
    out[5] = (!aa && !ca) || (!ab && !cb) ? 4 : aa && aa === ab && ca === cb ? 0 : ca && ca === cb ? 1 : ca && cb ? this.postcodeMemo.get(ca, cb) : 3;
    const pa = r[oa + 7]!; const pb = r[ob + 7]!;
    out[6] = !pa || !pb ? 3 : pa === pb ? 0 : this.placeMemo.get(pa, pb);
    const ga = r[oa + 8]!; const gb = r[ob + 8]!;
    out[7] = !ga || !gb ? 2 : ga === gb ? 0 : 1;
    const ja = r[oa + 9]!; const jb = r[ob + 9]!;
    out[8] = !ja || !jb ? 2 : ja === jb ? 0 : 1;
    const xa = r[oa + 10]!; const xb = r[ob + 10]!;
    out[9] = !xa && !xb ? 3 : this.otherNamesLevel(r, oa, ob);
  }

  /**
   * Words one record's other names add that the other record carries as a name or other name
   * ("george boleyn, viscount rochford" / "georgina boleyn"): two or more, one, or none.
   */
  private otherNamesLevel(r: Int32Array, oa: number, ob: number): number {
    const c = this.c;
    const shared = new Set<string>();
    for (const [x, y] of [[oa, ob], [ob, oa]] as const) {
      const words = c.extraTokens[r[x + 10]!]!;
      if (!words.length) continue;
      const other = c.extraTokens[r[y + 10]!]!;
      const last = c.lastTokens[r[y]!]!;
      const first = c.firstTokens[r[y + 1]!]!;
      for (const w of words) if (other.includes(w) || last.includes(w) || first.includes(w)) shared.add(w);
    }
    return shared.size >= 2 ? 0 : shared.size === 1 ? 1 : 2;
  }

  /**
   * Levels of every field but the surname, without the costly surname comparison; true when the
   * surname level is still open (both present and different), false when the full code is cheap.
   */
  partial(a: number, b: number, out: Uint8Array): boolean {
    const r = this.c.packed;
    const oa = a * STRIDE;
    const ob = b * STRIDE;
    const la = r[oa]!;
    const lb = r[ob]!;
    if (!la || !lb || la === lb) return false;
    const f = this.firstIds(r[oa + 1]!, r[ob + 1]!);
    out[1] = f === FIRST_FAR ? F_DIFF : f;
    const ba = r[oa + 2]!;
    const bb = r[ob + 2]!;
    out[2] = !ba || !bb ? B_NONE : ba === bb ? B_SAME : this.birthLevel(ba, bb);
    this.contactLevels(r, oa, ob, out);
    return true;
  }

  /**
   * The full pattern code of a pair `partial` left open, from its levels: only the surname is still
   * to compare, then the same adjustments as `gamma`.
   */
  finish(a: number, b: number, g: Uint8Array): number {
    const r = this.c.packed;
    this.nameLevels(a, b, this.lastMemo.get(r[a * STRIDE]!, r[b * STRIDE]!), g[1]!, g[2]!, g);
    return encode(g);
  }

  code(a: number, b: number, g: Uint8Array): number {
    this.gamma(a, b, g);
    return encode(g);
  }
}

/**
 * How two birth dates relate: 1 they cannot belong to one person (more than a year apart and more
 * than two keying slips: a parent and a child, two homonyms), 2 one is a slip of the other (at most
 * two digits, or day and month swapped), 0 neither (the same year: partial dates such as 1 January
 * for a year, a date rounded to the month; the pair's weight decides).
 */
function birthRelation(x: string, y: string): 0 | 1 | 2 {
  if (x === y) return 0;
  if (x.length !== 10 || y.length !== 10) return birthCloseness(x, y) === 2 ? 1 : 2;
  let diff = 0;
  for (let i = 0; i < 10; i++) if (x.charCodeAt(i) !== y.charCodeAt(i)) diff++;
  if (diff <= 2 || birthCloseness(x, y) === 1) return 2;
  return Math.abs(Number(x.slice(0, 4)) - Number(y.slice(0, 4))) >= 2 ? 1 : 0;
}

function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class UnionFind {
  parent: Int32Array;
  constructor(n: number) { this.parent = new Int32Array(n); for (let i = 0; i < n; i++) this.parent[i] = i; }
  find(x: number): number { let r = x; while (this.parent[r] !== r) r = this.parent[r]!; while (this.parent[x] !== r) { const n = this.parent[x]!; this.parent[x] = r; x = n; } return r; }
}

function checkAbort(signal?: AbortSignal) { if (signal?.aborted) throw signal.reason ?? new Error('aborted'); }

/**
 * A blocking key kept only for the values that a weak record (`weak`) holds: the blocks that may
 * pair such a record, at no cost where there is none.
 */
function weakOnly(n: number, keyOf: (i: number) => number, weak: (i: number) => boolean): (i: number) => number {
  const held = new Set<number>();
  for (let i = 0; i < n; i++) if (weak(i)) { const k = keyOf(i); if (k) held.add(k); }
  if (!held.size) return () => 0;
  return (i) => { const k = keyOf(i); return k && held.has(k) ? k : 0; };
}

/** Lexicographic rank of each interned value, so that sorting by it puts similar spellings side by side. */
function ranks(values: string[]): Int32Array {
  const idx = values.map((_, i) => i).sort((a, b) => (values[a]! < values[b]! ? -1 : values[a]! > values[b]! ? 1 : a - b));
  const r = new Int32Array(values.length);
  idx.forEach((id, pos) => { r[id] = pos; });
  return r;
}

/** One blocking key, sorted: records with the key, ordered by (key, secondary field, index). */
interface SortedKey { rank: Int32Array; order: Int32Array; group: Int32Array }

/**
 * One blocking key, sorted: records with the key (a number, 0 = none), ordered by (key, secondary
 * rank, index). Numeric keys built from interned ids: no string per record, no Map.
 */
function sortKey(n: number, keyOf: (i: number) => number, secondary: (i: number) => number, maxGroup = Infinity): SortedKey & { windowed: (w: number) => number; skipped: number } {
  const key = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) { const k = keyOf(i); if (k) { key[i] = k; m++; } }
  // Dense rank of each key through a native numeric sort of the keys, then a counting sort of the
  // records by that rank (stable, so indices stay ascending): a comparator sort of a million
  // records per key cost seconds each.
  const distinct = new Float64Array(m);
  m = 0;
  for (let i = 0; i < n; i++) if (key[i]) distinct[m++] = key[i]!;
  distinct.sort();
  let d = 0;
  for (let p = 0; p < m; p++) if (p === 0 || distinct[p] !== distinct[p - 1]) distinct[d++] = distinct[p]!;
  const keys = distinct.subarray(0, d);
  const rankOfKey = (k: number) => { let lo = 0; let hi = d - 1; while (lo < hi) { const mid = (lo + hi) >> 1; if (keys[mid]! < k) lo = mid + 1; else hi = mid; } return lo; };
  const groupOf = new Int32Array(n).fill(-1);
  const start = new Int32Array(d + 1);
  for (let i = 0; i < n; i++) if (key[i]) { const g = rankOfKey(key[i]!); groupOf[i] = g; start[g + 1]!++; }
  for (let g = 0; g < d; g++) start[g + 1]! += start[g]!;
  const order = new Int32Array(m);
  const fill = start.slice(0, d);
  for (let i = 0; i < n; i++) { const g = groupOf[i]!; if (g >= 0) order[fill[g]!++] = i; }
  // Inside a group, by the secondary field so that similar values sit within the window.
  const sec = new Int32Array(n);
  for (let g = 0; g < d; g++) {
    const a = start[g]!;
    const b = start[g + 1]!;
    if (b - a < 2 || b - a > maxGroup) continue;
    for (let p = a; p < b; p++) sec[order[p]!] = secondary(order[p]!);
    // Small groups (most of them) by insertion in place: a subarray and a sort per group were
    // millions of short-lived objects at a million rows. The order (secondary, index) is total, so
    // both ways give the same result.
    if (b - a > 16) { order.subarray(a, b).sort((x, y) => sec[x]! - sec[y]! || x - y); continue; }
    for (let p = a + 1; p < b; p++) {
      const v = order[p]!;
      let q = p - 1;
      while (q >= a && (sec[order[q]!]! > sec[v]! || (sec[order[q]!] === sec[v] && order[q]! > v))) { order[q + 1] = order[q]!; q--; }
      order[q + 1] = v;
    }
  }
  const rank = new Int32Array(n).fill(-1);
  const group = new Int32Array(m);
  // Groups larger than maxGroup are left out: such a key value (a town's postcode) says nothing.
  for (let p = 0; p < m; p++) { const g = groupOf[order[p]!]!; if (start[g + 1]! - start[g]! <= maxGroup) rank[order[p]!] = p; group[p] = g; }
  let skipped = 0;
  for (let g = 0; g < d; g++) if (start[g + 1]! - start[g]! > maxGroup) skipped++;
  // A block of s records is compared in full when its two ends are at most w apart (s ≤ w + 1).
  return { rank, order, group, skipped, windowed: (w) => { let c = 0; for (let g = 0; g < d; g++) { const s = start[g + 1]! - start[g]!; if (s > w + 1 && s <= maxGroup) c++; } return c; } };
}

/**
 * Positions of the kept pairs ordered by probability (descending), then a, then b: the order in
 * which clusters are merged. The pairs arrive grouped by ascending a; each group is put in b order,
 * then a stable radix sort on the bits of the probability (positive doubles order like their bits)
 * does the rest in four linear passes: a comparator sort of millions of pairs cost seconds.
 */
function orderByProbability(ka: Int32Array, kb: Int32Array, kp: Float64Array, kept: number): Int32Array {
  let src = new Int32Array(kept);
  for (let x = 0; x < kept; x++) src[x] = x;
  for (let start = 0; start < kept;) {
    let end = start + 1;
    while (end < kept && ka[end] === ka[start]) end++;
    for (let x = start + 1; x < end; x++) {
      const v = src[x]!;
      let y = x - 1;
      while (y >= start && kb[src[y]!]! > kb[v]!) { src[y + 1] = src[y]!; y--; }
      src[y + 1] = v;
    }
    start = end;
  }
  const bits = new Uint32Array(kp.buffer, kp.byteOffset, kept * 2);
  let dst = new Int32Array(kept);
  const count = new Int32Array(65537);
  for (let pass = 0; pass < 4; pass++) {
    const word = pass >> 1;
    const shift = (pass & 1) * 16;
    count.fill(0);
    // Complemented digits: the largest probability first.
    for (let x = 0; x < kept; x++) count[(~bits[x * 2 + word]! >>> shift & 0xffff) + 1]!++;
    if (count[(~bits[word]! >>> shift & 0xffff) + 1] === kept) continue;
    for (let d = 0; d < 65536; d++) count[d + 1]! += count[d]!;
    for (let x = 0; x < kept; x++) { const v = src[x]!; dst[count[~bits[v * 2 + word]! >>> shift & 0xffff]!++] = v; }
    const t = src; src = dst; dst = t;
  }
  return src;
}

export function resolvePersons(people: PersonInput[], options: ResolveOptions = {}): Resolution {
  const threshold = options.threshold ?? 0.5;
  const strict = options.strict ?? 0.99;
  const loose = options.loose ?? 0.1;
  const W = Math.max(1, Math.floor(options.window ?? 10));
  const n = people.length;
  const progress = options.onProgress ?? (() => {});
  const col = new Columns(people);
  const cmp = new Comparator(col);
  checkAbort(options.signal);

  // Term frequencies: the chance that two random records share this exact value.
  // Fields whose exact agreement is weighted by the frequency of the value itself: names, and birth
  // dates (placeholders such as 1 January stand for a date known only by its year).
  const tfColumns = [col.last, col.first, col.birth];
  const tfFreq = [col.lastV, col.firstV, col.birthV].map((v) => new Int32Array(v.values.length));
  for (let f = 0; f < tfColumns.length; f++) { const c = tfColumns[f]!; const fr = tfFreq[f]!; for (let i = 0; i < n; i++) if (c[i]) fr[c[i]!]!++; }

  // Blocking: several independent keys so that one typo does not lose a true pair; inside each key a
  // sorted neighbourhood caps the work when a key is common.
  const lastRank = ranks(col.lastV.values);
  const firstRank = ranks(col.firstV.values);
  const birthRank = ranks(col.birthV.values);
  // Per-value parts of the keys, computed once per distinct value.
  const yearOf = Int32Array.from(col.birthV.values, (b) => (b ? Number(b.slice(0, 4)) & 4095 : 0));
  // Month and day of a birth date, for the keys that survive a slip in its year.
  const dayOf = Int32Array.from(col.birthV.values, (b) => (b ? (Number(b.slice(5, 7)) * 40 + Number(b.slice(8, 10))) & 2047 : 0));
  const fiOf = Int32Array.from(col.firstInit, (x) => (x ? (x.charCodeAt(0) & 63) + 1 : 0));
  const prefixV = new Vocab();
  const last3 = Int32Array.from(col.lastV.values, (x) => prefixV.id(x.slice(0, 3)));
  const last2 = Int32Array.from(col.lastV.values, (x) => prefixV.id(x.slice(0, 2)));
  const nameV = new Vocab();
  const lastName = Int32Array.from(col.lastV.values, (x) => nameV.id(x));
  const firstName = Int32Array.from(col.firstV.values, (x) => nameV.id(x));
  // A record without a surname may carry the surname alone, in the first-name field ("LAING").
  const onlyAsLast = Int32Array.from(col.firstAsLast, (x) => nameV.id(x));
  const nameRank = ranks(nameV.values);
  // A single typo keeps either a name's first three letters or its last three (names of four
  // letters or more): keys on the last three catch the slips in the first letters ("ZYDNEY" /
  // "SYDNEY", "HSLDANE" / "HALDANE") that every prefix key misses. Sorted on the reversed name, so
  // that in a big block ("MARIE" + "ARD") the spellings that end alike sit within the window.
  const suffixV = new Vocab();
  const suffix3 = (x: string) => (x.length > 3 ? suffixV.id(x.slice(-3)) : 0);
  const lastSuf = Int32Array.from(col.lastV.values, suffix3);
  const firstSuf = Int32Array.from(col.firstV.values, (x, id) => (col.firstIsInit[id] ? 0 : suffix3(x)));
  const lastRevRank = ranks(col.lastV.values.map((x) => [...x].reverse().join('')));
  const firstRevRank = ranks(col.firstV.values.map((x) => [...x].reverse().join('')));
  const byFirstRev = (i: number) => (F[i] ? firstRevRank[F[i]!]! : -1);
  const postcodeRank = ranks(col.postcodeV.values);
  const postcodeRevRank = ranks(col.postcodeV.values.map((x) => [...x].reverse().join('')));
  // Known forms of one first name (William, Bill, Gwilym) share no letter key.
  const groupOf = Int32Array.from(col.firstV.values, nameGroupOf);
  const byLast = (i: number) => lastRank[col.last[i]!]!;
  const byFirst = (i: number) => firstRank[col.first[i]!]!;
  const byBirth = (i: number) => birthRank[col.birth[i]!]!;
  const weakRecord = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (!col.last[i]) weakRecord[i] = 1;
  const weak = (i: number) => weakRecord[i] === 1;
  const noFirst = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (!col.first[i]) noFirst[i] = 1;
  const noBirth = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (!col.birth[i]) noBirth[i] = 1;
  const surnameOrOnly = (i: number) => (L[i] ? lastName[L[i]!]! : F[i] ? onlyAsLast[F[i]!]! : 0);
  const byName = (i: number) => { const x = surnameOrOnly(i); return x ? nameRank[x]! : -1; };
  const L = col.last; const F = col.first; const B = col.birth; const P = col.place; const PC = col.postcode;
  // `weak`: the key pairs only a record without a surname with any other (its blocks may be big).
  const keys: (ReturnType<typeof sortKey> & { weak?: Uint8Array; window?: number })[] = [
    sortKey(n, (i) => B[i]!, byLast),
    sortKey(n, (i) => (L[i] ? L[i]! * 64 + fiOf[F[i]!]! : 0), byBirth),
    sortKey(n, (i) => (F[i] && B[i] ? F[i]! * 4096 + yearOf[B[i]!]! : 0), byLast),
    sortKey(n, (i) => (L[i] && B[i] ? (last3[L[i]!]! * 4096 + yearOf[B[i]!]!) * 64 + fiOf[F[i]!]! : 0), byFirst),
    // last and first name as an unordered pair, so that swapped names meet
    sortKey(n, (i) => { if (!L[i] || !F[i]) return 0; const x = lastName[L[i]!]!; const y = firstName[F[i]!]!; return x < y ? x * 0x4000000 + y : y * 0x4000000 + x; }, byBirth),
    sortKey(n, (i) => (F[i] && L[i] ? F[i]! * 0x100000 + last2[L[i]!]! : 0), byBirth),
    sortKey(n, (i) => (L[i] && groupOf[F[i]!] ? last3[L[i]!]! * 4096 + groupOf[F[i]!]! : 0), byLast),
    // A record whose first name is missing or only a title ("SIR MITCHELL") meets the surname's
    // other records, sorted by birth date; only blocks holding such a record are kept.
    { ...sortKey(n, weakOnly(n, (i) => L[i]!, (i) => !F[i] && L[i]! > 0), byBirth), weak: noFirst },
    // A record without a birth date ("ANN HOULDITCH", "NED HIGGINSON") meets the surname's other
    // records, sorted by first name: a nickname or another form sits within the window.
    { ...sortKey(n, weakOnly(n, (i) => L[i]!, (i) => !B[i] && L[i]! > 0), byFirst), weak: noBirth },
    // One name exact, the other's last three letters (see suffix3).
    // Sorted on the reversed name, two spellings that differ only in their first letters are next
    // to each other: a window of SUFFIX_WINDOW is enough, and keeps the cost of big blocks low.
    { ...sortKey(n, (i) => (F[i] && lastSuf[L[i]!] ? F[i]! * 0x100000 + lastSuf[L[i]!]! : 0), (i) => lastRevRank[L[i]!]!), window: SUFFIX_WINDOW },
    { ...sortKey(n, (i) => (L[i] && firstSuf[F[i]!] ? L[i]! * 0x100000 + firstSuf[F[i]!]! : 0), (i) => firstRevRank[F[i]!]!), window: SUFFIX_WINDOW },
    // A slip in the birth year ("1858" / "1850") leaves the month and day: with the surname, and
    // with the first name in small blocks only (a common first name and a day of the year pair
    // strangers: French 200k candidate pairs +4.3 % instead of +6.7 %, same historical_50k result).
    sortKey(n, (i) => (B[i] && L[i] ? L[i]! * 2048 + dayOf[B[i]!]! : 0), byBirth),
    sortKey(n, (i) => (B[i] && F[i] ? F[i]! * 2048 + dayOf[B[i]!]! : 0), byBirth, W),
    sortKey(n, (i) => col.phone[i]!, byLast),
    sortKey(n, (i) => col.email[i]!, byLast),
    // Birth place with the first name, and with the surname (or the only name given): records that
    // lack a surname or a birth date meet there. No cost when the extract has no birth place.
    sortKey(n, (i) => (P[i] && F[i] ? P[i]! * 0x4000000 + firstName[F[i]!]! : 0), byLast),
    sortKey(n, (i) => (P[i] && (L[i] || F[i]) ? P[i]! * 0x4000000 + (L[i] ? lastName[L[i]!]! : firstName[F[i]!]!) : 0), byFirst),
    // Postcode (a street's in some countries, a town's in France) and address with a name: only
    // their small blocks are used, a common value is no evidence and would cost n·window.
    sortKey(n, (i) => (PC[i] && F[i] ? PC[i]! * 0x4000000 + firstName[F[i]!]! : 0), byLast, W),
    sortKey(n, (i) => (PC[i] && (L[i] || F[i]) ? PC[i]! * 0x4000000 + (L[i] ? lastName[L[i]!]! : firstName[F[i]!]!) : 0), byFirst, W),
    // Postcode alone, small blocks only: a record with one poor name and a street's postcode.
    sortKey(n, (i) => PC[i]!, byName, W),
    // Records without a surname ("TOM", "LAING", or no name at all) rarely share a name key with the
    // person's other records: their surname-or-only-name with the birth year, and their birth place
    // with the birth year (by name). Only blocks that hold such a record are kept, so an extract
    // where every record has a surname pays nothing.
    sortKey(n, weakOnly(n, (i) => { const x = surnameOrOnly(i); return x && B[i] ? x * 4096 + yearOf[B[i]!]! : 0; }, weak), byFirst),
    sortKey(n, weakOnly(n, (i) => (P[i] && B[i] ? P[i]! * 4096 + yearOf[B[i]!]! : 0), weak), byName),
    // ... and, pairing such a record only, its name alone and its postcode alone.
    { ...sortKey(n, weakOnly(n, surnameOrOnly, weak), byBirth), weak: weakRecord },
    { ...sortKey(n, weakOnly(n, (i) => PC[i]!, weak), byName), weak: weakRecord },
    // ... and every postcode in its order and in the order of its reversed text: a postcode keyed
    // with a slip ("WW3XA" / "W23XA", "OXQ08NA" / "OX108NA") sits next to the right one.
    ...[postcodeRank, postcodeRevRank].map((rank) => ({ ...sortKey(n, weakOnly(n, (i) => (PC[i] ? 1 : 0), weak), (i) => rank[PC[i]!]!), weak: weakRecord })),
    // ... and its birth year alone, sorted on either name: a nickname or a mistyped only name
    // ("ROBBIE", "ALGRED") sits next to the person's "ROBERT", "ALFRED". The birth place alone,
    // sorted the same ways, pairs every record: a slip in each name and in the birth date ("IAN
    // SMYTH 1865" / "JOHN SMITH 1855", both born in Mauchline) leaves no other key. Measured on
    // historical_50k: 6,007 → 5,934 persons at the same precision; no cost without birth places.
    // The occupation alone likewise (historical_50k 5,835 → 5,795 persons, P 0.949 → 0.946).
    ...[byFirst, byName].flatMap((by) => [
      sortKey(n, (i) => P[i]!, by),
      sortKey(n, (i) => col.occupation[i]!, by),
      { ...sortKey(n, weakOnly(n, (i) => (B[i] ? yearOf[B[i]!]! : 0), weak), by), weak: weakRecord },
    ]),
    // The same keys sorted on the reversed first name, for a first name mistyped in its first
    // letters ("UAMES" / "JAMES", "HRNRY" / "HENRY"): its end sits by the right spelling's end.
    // historical_50k 5,706 → 5,692 persons; no cost without birth place, occupation or records
    // without a surname.
    sortKey(n, (i) => P[i]!, byFirstRev),
    sortKey(n, (i) => col.occupation[i]!, byFirstRev),
    ...[(i: number) => P[i]!, (i: number) => (B[i] ? yearOf[B[i]!]! : 0), (i: number) => (PC[i] ? 1 : 0)]
      .map((key) => ({ ...sortKey(n, weakOnly(n, key, weak), byFirstRev), weak: weakRecord })),
  ];
  const blocksWindowed = keys.reduce((s, k) => s + k.windowed(Math.min(W, k.window ?? W)), 0);
  const blocksSkipped = keys.reduce((s, k) => s + k.skipped, 0);
  checkAbort(options.signal);

  // Candidate pairs are enumerated once, from the keys; the other record of each pair is stored
  // (4 bytes, in chunks so that nothing is copied as it grows) for the scoring pass, which then
  // reads them in order instead of walking eight sorted keys again.
  const mark = new Int32Array(n);
  const CHUNK_BITS = 20;
  const CHUNK = 1 << CHUNK_BITS;
  const chunks: Int32Array[] = [];
  const perRecord = new Int32Array(n);
  let stored = 0;
  const forEachPair = (visit: (i: number, j: number) => void, stage: string) => {
    mark.fill(-1);
    let chunk = new Int32Array(0);
    for (let i = 0; i < n; i++) {
      const before = stored;
      for (const k of keys) {
        const p = k.rank[i]!;
        if (p < 0) continue;
        const g = k.group[p]!;
        // For a key that pairs weak records only, a strong record meets the weak ones alone.
        const wk = k.weak && !k.weak[i] ? k.weak : undefined;
        const kw = Math.min(W, k.window ?? W);
        const lo = Math.max(0, p - kw);
        const hi = Math.min(k.order.length - 1, p + kw);
        for (let q = p - 1; q >= lo && k.group[q] === g; q--) {
          const j = k.order[q]!;
          if (j > i && mark[j] !== i && (!wk || wk[j])) {
            mark[j] = i;
            if ((stored & (CHUNK - 1)) === 0) { chunk = new Int32Array(CHUNK); chunks.push(chunk); }
            chunk[stored++ & (CHUNK - 1)] = j;
            visit(i, j);
          }
        }
        for (let q = p + 1; q <= hi && k.group[q] === g; q++) {
          const j = k.order[q]!;
          if (j > i && mark[j] !== i && (!wk || wk[j])) {
            mark[j] = i;
            if ((stored & (CHUNK - 1)) === 0) { chunk = new Int32Array(CHUNK); chunks.push(chunk); }
            chunk[stored++ & (CHUNK - 1)] = j;
            visit(i, j);
          }
        }
      }
      perRecord[i] = stored - before;
      if ((i & 0x3fff) === 0) { checkAbort(options.signal); if (i) progress(stage, i, n); }
    }
  };
  /** Visits the stored pairs in order; `at` numbers them (the same in every pass). */
  const forEachStored = (visit: (i: number, j: number, at: number) => void, stage: string) => {
    let at = 0;
    for (let i = 0; i < n; i++) {
      for (let c = perRecord[i]!; c > 0; c--, at++) visit(i, chunks[at >>> CHUNK_BITS]![at & (CHUNK - 1)]!, at);
      if ((i & 0x3fff) === 0) { checkAbort(options.signal); if (i) progress(stage, i, n); }
    }
  };
  const g = new Uint8Array(NF);
  // The model is fitted on a deterministic sample of the candidate pairs (all of them up to about
  // 150,000 rows): a couple of million pairs pin the few dozen parameters as well as fifty million.
  const every = Math.max(1, Math.ceil(n / 150_000));
  let pairs = 0;
  let sampled = 0;
  const patternCount = new Float64Array(PATTERNS);
  forEachPair((i, j) => {
    pairs++;
    if (every > 1 && ((Math.imul(i, 0x9e3779b1) ^ Math.imul(j, 0x85ebca77)) >>> 0) % every !== 0) return;
    sampled++;
    patternCount[cmp.code(i, j, g)]!++;
  }, 'comparaison');
  checkAbort(options.signal);
  const decode = (code: number): number[] => { const out = new Array<number>(NF); for (let f = NF - 1; f >= 0; f--) { out[f] = code % RADIX[f]!; code = Math.floor(code / RADIX[f]!); } return out; };

  // u: level frequencies among random pairs (almost all non-matches).
  const rand = mulberry32(options.seed ?? 20240301);
  // Priors as pseudo-counts, so that a small extract (a few hundred rows) still gets sane weights;
  // on a real extract the data outweighs them.
  // Rows in FIELDS order, one value per level.
  const U_PRIOR = [[0.002, 0.003, 0.85, 0.145], [0.02, 0.02, 0.05, 0.9, 0.01], [0.0005, 0.005, 0.01, 0.59, 0.3945], [0.0002, 0.7, 0.2998], [0.0002, 0.5, 0.4998], [0.001, 0.02, 0.005, 0.795, 0.179],
    [0.01, 0.005, 0.6, 0.385], [0.3, 0.3, 0.4], [0.02, 0.3, 0.68], [0.001, 0.01, 0.2, 0.789]];
  const M_PRIOR = [[0.85, 0.1, 0.02, 0.03], [0.8, 0.13, 0.03, 0.03, 0.01], [0.78, 0.05, 0.02, 0.01, 0.14], [0.5, 0.1, 0.4], [0.4, 0.05, 0.55], [0.5, 0.1, 0.02, 0.08, 0.3],
    [0.5, 0.05, 0.05, 0.4], [0.58, 0.02, 0.4], [0.3, 0.1, 0.6], [0.1, 0.1, 0.1, 0.7]];
  const u = U_PRIOR.map((row) => row.map((v) => v * 2000));
  const samples = Math.min(200_000, (n * (n - 1)) / 2);
  for (let s = 0; s < samples && n > 1; s++) {
    const a = Math.floor(rand() * n);
    let b = Math.floor(rand() * (n - 1));
    if (b >= a) b++;
    cmp.gamma(a, b, g);
    for (let f = 0; f < NF; f++) u[f]![g[f]!]!++;
  }
  for (const row of u) { const t = row.reduce((x, y) => x + y, 0); for (let l = 0; l < row.length; l++) row[l] = row[l]! / t; }
  // m: EM over candidate pairs with u held fixed.
  const m = RADIX.map((r) => Array.from({ length: r }, (_, l) => (l === r - 1 ? 0.1 : l === 0 ? 0.85 : 0.05 / Math.max(1, r - 2))) as number[]);
  let lambda = Math.min(0.5, Math.max(1e-4, n / Math.max(1, pairs) / 2));
  const patterns: { levels: number[]; count: number }[] = [];
  for (let code = 0; code < PATTERNS; code++) if (patternCount[code]) patterns.push({ levels: decode(code), count: patternCount[code]! });
  // Plain EM over blocked pairs drifts to a spurious class (pairs blocked on a shared birth date
  // "agree" massively). m of each field is therefore estimated leave-one-out: among pairs whose
  // OTHER fields already make a confident match, how often does this field agree? Two passes.
  const patternWeight = (levels: number[], f: number, mm: number[][]) => {
    let w = 0;
    for (let h = 0; h < NF; h++) {
      if (h === f) continue;
      const l = levels[h]!;
      if (l === RADIX[h]! - 1) continue;
      w += Math.log2(Math.max(1e-9, mm[h]![l]!) / Math.max(1e-9, u[h]![l]!));
    }
    return w;
  };
  let share = 0;
  for (let iter = 0; iter < 3; iter++) {
    const acc = M_PRIOR.map((row) => row.map((v) => v * 50));
    let confident = 0;
    for (const p of patterns) {
      for (let f = 0; f < NF; f++) {
        if (patternWeight(p.levels, f, m) >= 12) { acc[f]![p.levels[f]!]! += p.count; if (f === 0) confident += p.count; }
      }
    }
    for (let f = 0; f < NF; f++) { const t = acc[f]!.reduce((x, y) => x + y, 0); for (let l = 0; l < RADIX[f]!; l++) m[f]![l] = acc[f]![l]! / t; }
    lambda = Math.min(0.3, Math.max(1e-4, Math.min(0.3, (0.1 * n) / Math.max(1, pairs)), confident / Math.max(1, sampled)));
    share = confident / Math.max(1, sampled);
  }
  checkAbort(options.signal);
  // Non-missing levels are renormalised so that "missing" carries no weight.
  const weights = RADIX.map((r, f) => {
    const out = new Array<number>(r).fill(0);
    const mt = 1 - m[f]![r - 1]!;
    const ut = 1 - u[f]![r - 1]!;
    for (let l = 0; l < r - 1; l++) out[l] = Math.log2(Math.max(1e-9, m[f]![l]! / mt) / Math.max(1e-9, u[f]![l]! / ut));
    return out;
  });
  // The prior is the chance that two RANDOM records match (the matches found among the candidate
  // pairs, over all pairs), as u is measured on random pairs: the share among candidate pairs would
  // count the agreement that made them candidates twice, and merged on a shared surname alone.
  const matchRate = Math.max(1e-12, Math.min(lambda, (Math.max(share, lambda) * pairs) / Math.max(1, (n * (n - 1)) / 2)));
  const prior = Math.log2(matchRate / (1 - matchRate));
  // A field's conflicts refuse a merge only when the field proves reliable in this extract: among
  // candidate pairs with the same surname and the same birth date (almost all one person, whatever
  // else they share), it disagrees less than 5 % of the time. In police exports a different first
  // name or sex is then another person (twins, a couple); in an extract where persons go by several
  // names it is not. Not read from m: households (same surname, address and phone) pass for
  // confident matches there, and would make first names look unreliable.
  const disagreement = (f: number, differs: (level: number) => boolean, others: (lv: number[]) => boolean) => {
    let all = 0; let diff = 0;
    for (const p of patterns) {
      const lv = p.levels;
      if (lv[0]! > 1 || lv[2] !== B_SAME || lv[f] === RADIX[f]! - 1 || !others(lv)) continue;
      all += p.count;
      if (differs(lv[f]!)) diff += p.count;
    }
    return all ? diff / all : 0;
  };
  const refuseFirstNames = (options.refuseFirstNameConflicts ?? true) && disagreement(1, (l) => l === F_DIFF, () => true) < 0.05;
  const refuseGender = disagreement(7, (l) => l === 1, (lv) => lv[1]! <= F_COMPAT) < 0.05;
  // Chance that another random record carries this value, smoothed towards the average so that a
  // name seen twice in a 3-row file does not look common. A shared rare name says more than a
  // shared "MARTIN": the weight of an exact agreement uses the frequency of that very value.
  const tfU = (count: number, total: number, average: number) => Math.max(average * 0.05, (count - 1 + average * 1000) / (total - 1 + 1000));
  // Per field: the weight of an exact agreement on each value, minus the field's average one (added
  // to the pattern weight).
  const tfExtra = tfFreq.map((freq, f) => {
    const r = RADIX[f]!;
    const uExact = u[f]![0]! / (1 - u[f]![r - 1]!);
    const mExact = m[f]![0]! / (1 - m[f]![r - 1]!);
    const total = freq.reduce((x, y) => x + y, 0) || 1;
    return Float64Array.from(freq, (c) => Math.log2(Math.max(1e-9, mExact) / tfU(c || 1, total, uExact)) - weights[f]![0]!);
  });
  const [lastExtra, firstExtra, birthExtra] = tfExtra as [Float64Array, Float64Array, Float64Array];
  const patternW = new Float64Array(PATTERNS);
  for (let code = 0; code < PATTERNS; code++) { const lv = decode(code); let w = prior; for (let f = 0; f < NF; f++) w += weights[f]![lv[f]!]!; patternW[code] = w; }
  const lastLevel0 = RADIX.slice(1).reduce((x, y) => x * y, 1);
  const firstLevel0 = RADIX.slice(2).reduce((x, y) => x * y, 1);
  const birthLevel0 = RADIX.slice(3).reduce((x, y) => x * y, 1);
  const pairWeight = (a: number, b: number, code: number): number => {
    let w = patternW[code]!;
    if (Math.floor(code / lastLevel0) === 0 && col.last[a] === col.last[b]) w += lastExtra[col.last[a]!]!;
    if (Math.floor(code / firstLevel0) % RADIX[1]! === 0 && col.first[a] === col.first[b]) w += firstExtra[col.first[a]!]!;
    if (Math.floor(code / birthLevel0) % RADIX[2]! === B_SAME && col.birth[a] === col.birth[b]) w += birthExtra[col.birth[a]!]!;
    return w;
  };
  // One evidence object per field and level (per name for an identical name, whose weight depends
  // on its frequency), shared by every pair: the review list of a million-row extract holds over a
  // million pairs, and six objects each were hundreds of megabytes.
  const levelEvidence = new Map<number, FieldEvidence>();
  const valueEvidence = tfColumns.map(() => new Map<number, FieldEvidence>());
  const score = (a: number, b: number): { weight: number; evidence: FieldEvidence[] } => {
    const code = cmp.code(a, b, g);
    const evidence: FieldEvidence[] = [];
    for (let f = 0; f < NF; f++) {
      const l = g[f]!;
      const byValue = f < tfColumns.length && l === 0 && tfColumns[f]![a] === tfColumns[f]![b];
      const key = byValue ? tfColumns[f]![a]! : f * 8 + l;
      const cache = byValue ? valueEvidence[f]! : levelEvidence;
      let e = cache.get(key);
      if (!e) {
        const fw = weights[f]![l]! + (byValue ? tfExtra[f]![key]! : 0);
        e = Object.freeze({ field: FIELDS[f]!, level: LEVELS[FIELDS[f]!][l]!, weight: Math.round(fw * 100) / 100 });
        cache.set(key, e);
      }
      evidence.push(e);
    }
    return { weight: pairWeight(a, b, code), evidence };
  };

  /**
   * Evidence that a lone record belongs to one person, read against the union of the person's
   * records: per field the best agreement any member offers ("EMLIE BENNET 1861" with the person
   * whose one record has that first name and date and another that surname). A value matched among
   * k distinct ones is k times likelier by chance, so an agreement loses log2(k) bits (never below
   * zero): a big person does not win on its many values.
   */
  const unionEvidence = (members: Int32Array, start: Int32Array) => {
    const best = new Float64Array(NF);
    // Packed slot of the value whose variety a field's agreement depends on (the postcode for addresses).
    const slot = [0, 1, 2, 3, 4, 6, 7, 8, 9, 10];
    const MAX_MEMBERS = 16;
    // Distinct values per field among the members read so far (flat, no Set per call).
    const seen = new Int32Array(NF * MAX_MEMBERS);
    const seenLen = new Int32Array(NF);
    return (s: number, r: number): number => {
      best.fill(-Infinity);
      seenLen.fill(0);
      for (let k = start[r]!, e = Math.min(start[r + 1]!, start[r]! + MAX_MEMBERS); k < e; k++) {
        const j = members[k]!;
        cmp.gamma(s, j, g);
        for (let f = 0; f < NF; f++) {
          const l = g[f]!;
          if (l === RADIX[f]! - 1) continue;
          const v = col.packed[j * STRIDE + slot[f]!]!;
          if (v) {
            const o = f * MAX_MEMBERS;
            let q = 0;
            while (q < seenLen[f]! && seen[o + q] !== v) q++;
            if (q === seenLen[f]) seen[o + seenLen[f]!++] = v;
          }
          const w = weights[f]![l]! + (f < tfColumns.length && l === 0 && tfColumns[f]![s] === tfColumns[f]![j] ? tfExtra[f]![tfColumns[f]![s]!]! : 0);
          if (w > best[f]!) best[f] = w;
        }
      }
      let w = prior;
      for (let f = 0; f < NF; f++) {
        const b = best[f]!;
        if (b === -Infinity) continue;
        w += b > 0 ? Math.max(0, b - Math.log2(Math.max(1, seenLen[f]!))) : b;
      }
      return w;
    };
  };

  // Second enumeration: score each pair from its stored pattern, keep only those that may merge.
  const keepFrom = Math.min(loose, threshold);
  let ka = new Int32Array(1 << 14);
  let kb = new Int32Array(1 << 14);
  let kp = new Float64Array(1 << 14);
  let kept = 0;
  // A pair whose best possible surname level still cannot reach the threshold is dropped before its
  // surnames are compared (Jaro–Winkler on two different surnames is the costliest step).
  const minWeight = Math.log2(keepFrom / (1 - keepFrom));
  const bestLast = Math.max(weights[0]![1]!, weights[0]![2]!);
  /** The weight of a candidate pair, or -Infinity when even its best surname level stays below minW. */
  // The bound of the last pair `boundedWeight` left open (NaN when it computed the full weight).
  let lastBound = NaN;
  const boundedWeight = (i: number, j: number, minW: number): number => {
    lastBound = NaN;
    if (!cmp.partial(i, j, g)) return pairWeight(i, j, cmp.code(i, j, g));
    let bound = prior + bestLast;
    // (a first name may still turn compatible: the two names swapped)
    for (let f = 1; f < NF; f++) bound += weights[f]![f === 1 && (g[1] === F_NEAR || g[1] === F_DIFF) ? F_COMPAT : g[f]!]!;
    if (g[1] === 0) bound += firstExtra[col.first[i]!]!;
    if (g[2] === B_SAME) bound += birthExtra[col.birth[i]!]!;
    lastBound = bound;
    return bound < minW ? -Infinity : pairWeight(i, j, cmp.finish(i, j, g));
  };
  // Pairs whose best possible weight is already below the second pass's floor, marked here (one bit
  // each) so that the second pass skips them without comparing them again.
  const candidateW = Math.log2(CANDIDATE_FLOOR / (1 - CANDIDATE_FLOOR));
  const hopeless = new Uint8Array((stored + 7) >>> 3);
  forEachStored((i, j, at) => {
    const w = boundedWeight(i, j, minWeight);
    if (lastBound < candidateW) hopeless[at >>> 3]! |= 1 << (at & 7);
    if (w === -Infinity) return;
    const p = 1 / (1 + 2 ** -w);
    if (p < keepFrom) return;
    if (kept === ka.length) {
      const a2 = new Int32Array(kept * 2); a2.set(ka); ka = a2;
      const b2 = new Int32Array(kept * 2); b2.set(kb); kb = b2;
      const p2 = new Float64Array(kept * 2); p2.set(kp); kp = p2;
    }
    ka[kept] = i; kb[kept] = j; kp[kept] = p; kept++;
  }, 'score');
  progress('comparaison', n, n);
  const order = orderByProbability(ka, kb, kp, kept);

  // Refusal reasons by position in `order`'s source arrays; merges made below the strict threshold.
  // Refused merges of the main clustering: kind (1 birth dates, 2 first names, 3 sexes) and the two value ids;
  // the French reason is written only for the pairs that reach the review list.
  const refusedKind = new Uint8Array(kept);
  const refusedA = new Int32Array(kept);
  const refusedB = new Int32Array(kept);
  const refusedWhy = (x: number): string | undefined => {
    const k = refusedKind[x];
    if (k === 1) return `dates de naissance contradictoires (${col.birthV.values[refusedA[x]!]} / ${col.birthV.values[refusedB[x]!]})`;
    if (k === 2) return `prénoms incompatibles (${col.firstV.values[refusedA[x]!]} / ${col.firstV.values[refusedB[x]!]})`;
    if (k === 3) return 'sexes différents (M / F)';
    if (k === 4) return 'fiche sans nom de famille qui relierait deux personnes';
    return undefined;
  };
  const uncertainMerge = new Uint8Array(kept);
  // 1 contradicting, 2 a slip of each other (at most two digits apart), 0 neither.
  const birthMemo = new PairMemo((x, y) => birthRelation(col.birthV.values[x]!, col.birthV.values[y]!), 16);
  // What each cluster already holds (up to CAP birth ids and CAP records with distinct first names),
  // flat per root so that a million merges allocate nothing.
  const CAP = 8;
  const bList = new Int32Array(n * CAP);
  const bLen = new Uint8Array(n);
  const fList = new Int32Array(n * CAP);
  const fLen = new Uint8Array(n);
  // Sex per cluster root as bits (1 M, 2 F).
  const sexes = new Uint8Array(n);
  const sexBit = Uint8Array.from(col.genderV.values, (v) => (v === 'M' ? 1 : v === 'F' ? 2 : 0));
  // Records per cluster root: a record without a surname ("TOM", "LAING") may join one person, but
  // its few fields are too little to be the only link between two persons of several records each.
  // Records without a surname may gather among themselves first ("SUGG", "SUGG") and then join one person.
  const size = new Int32Array(n);
  // Distinct surnames per cluster root (up to CAP), flat like the birth dates.
  const lList = new Int32Array(n * CAP);
  const lLen = new Uint8Array(n);
  // The two clusters hold the same surname, or one a slip of the other ("SMYTHE" / "SMITH").
  const sharesSurname = (ra: number, rb: number): boolean => {
    for (let s = 0, e = lLen[ra]!; s < e; s++) {
      for (let r = 0, f = lLen[rb]!; r < f; r++) if (cmp.lastIds(lList[ra * CAP + s]!, lList[rb * CAP + r]!) <= 1) return true;
    }
    return false;
  };
  // Why two clusters (roots ra, rb) linked by records a0 and b0 may not merge: 0 they may, 1 birth
  // dates, 2 first names, 3 sexes, 4 the link rests on a record without a surname; whyA/whyB hold the
  // two conflicting values.
  let whyA = 0;
  let whyB = 0;
  const conflict = (ra: number, rb: number, a0: number, b0: number): number => {
    const oa = ra * CAP; const ob = rb * CAP;
    const na = bLen[ra]!; const nb = bLen[rb]!;
    let why = 0;
    whyA = 0; whyB = 0;
    birth: for (let s = 0; s < na; s++) {
      const p = bList[oa + s]!;
      for (let r = 0; r < nb; r++) {
        const q = bList[ob + r]!;
        if (p !== q && birthMemo.get(p, q) === 1) { why = 1; whyA = p; whyB = q; break birth; }
      }
    }
    // Not when the two persons share a surname: the record without one is then not their only
    // common ground ("MALCOLM" with "MALCOLM SMYTHE", linking to "MALCOLM SMITH"). historical_50k
    // 5,680 → 5,674 persons, P 0.940 → 0.937; never evaluated where every record has a surname.
    if (!why && ((!col.last[a0] && lLen[ra] && size[rb]! > 1) || (!col.last[b0] && lLen[rb] && size[ra]! > 1)) && !sharesSurname(ra, rb)) why = 4;
    if (!why && refuseGender && sexes[ra] && sexes[rb] && sexes[ra] !== sexes[rb]) why = 3;
    if (!why && refuseFirstNames) {
      const ma = fLen[ra]!; const mb = fLen[rb]!;
      outer: for (let s = 0; s < ma; s++) {
        const p = fList[oa + s]!;
        for (let r = 0; r < mb; r++) {
          const q = fList[ob + r]!;
          const a = col.first[p]!;
          const b = col.first[q]!;
          if (cmp.firstIds(a, b) === FIRST_FAR && !cmp.firstIsOthersLast(p, q)) { why = 2; whyA = a; whyB = b; break outer; }
        }
      }
    }
    return why;
  };
  /** Adds the distinct ids of drop's list to keep's (up to CAP) and empties drop's. */
  const mergeIds = (list: Int32Array, len: Uint8Array, keep: number, drop: number) => {
    const ok = keep * CAP; const od = drop * CAP;
    let k = len[keep]!;
    for (let s = 0, e = len[drop]!; s < e && k < CAP; s++) {
      const y = list[od + s]!;
      let seen = false;
      for (let r = 0; r < k; r++) if (list[ok + r] === y) { seen = true; break; }
      if (!seen) list[ok + k++] = y;
    }
    len[keep] = k; len[drop] = 0;
  };
  const merge = (uf: UnionFind, ra: number, rb: number) => {
    const keep = ra < rb ? ra : rb;
    const drop = ra < rb ? rb : ra;
    uf.parent[drop] = keep;
    const ok = keep * CAP; const od = drop * CAP;
    // Slips are kept too: checked against every date it holds, a cluster does not drift through
    // slips of slips (measured: skipping them cost historical_50k 3 points of precision).
    mergeIds(bList, bLen, keep, drop);
    mergeIds(lList, lLen, keep, drop);
    let kf = fLen[keep]!;
    for (let s = 0, e = fLen[drop]!; s < e && kf < CAP; s++) {
      const y = fList[od + s]!;
      const fy = col.first[y]!;
      let seen = false;
      for (let r = 0; r < kf; r++) if (col.first[fList[ok + r]!] === fy) { seen = true; break; }
      if (!seen) fList[ok + kf++] = y;
    }
    fLen[keep] = kf;
    fLen[drop] = 0;
    // A cluster holds one sex at most while gender conflicts are refused; otherwise both bits.
    sexes[keep] = sexes[keep]! | sexes[drop]!;
    size[keep]! += size[drop]!;
  };
  const cluster = (t: number, record: boolean): UnionFind => {
    const uf = new UnionFind(n);
    for (let i = 0; i < n; i++) {
      bLen[i] = col.birth[i] ? 1 : 0; bList[i * CAP] = col.birth[i]!;
      fLen[i] = col.first[i] ? 1 : 0; fList[i * CAP] = i;
      sexes[i] = sexBit[col.gender[i]!]!;
      size[i] = 1;
      lLen[i] = col.last[i] ? 1 : 0; lList[i * CAP] = col.last[i]!;
    }
    for (let o = 0; o < kept; o++) {
      const x = order[o]!;
      if (kp[x]! < t) break;
      const ra = uf.find(ka[x]!);
      const rb = uf.find(kb[x]!);
      if (ra === rb) continue;
      const why = conflict(ra, rb, ka[x]!, kb[x]!);
      if (why) { if (record) { refusedKind[x] = why; refusedA[x] = whyA; refusedB[x] = whyB; } continue; }
      if (record && kp[x]! < strict) uncertainMerge[x] = 1;
      merge(uf, ra, rb);
    }
    return uf;
  };
  const countRoots = (uf: UnionFind) => { let c = 0; for (let i = 0; i < n; i++) if (uf.find(i) === i) c++; return c; };
  progress('regroupement', 0, 3);
  const main = cluster(threshold, true);
  // Second pass: a record left alone, or a piece of at most ATTACH_SIZE records (its links all below
  // the threshold), joins the one bigger person it matches best, read against that person's records
  // one by one and against their union (unionEvidence), when that evidence reaches ATTACH_FLOOR,
  // clears every other candidate person by ATTACH_MARGIN bits, and contradicts nothing the person
  // holds. Made below the strict threshold, every such attachment goes to the review list with its
  // reason. `attached`: the record of the piece and the member of the person it links to best.
  const attached: [number, number, boolean][] = [];
  {
    const floorW = Math.log2(ATTACH_FLOOR / (1 - ATTACH_FLOOR));
    // Per piece (a person of at most ATTACH_SIZE records), its ATTACH_CANDIDATES likeliest bigger
    // persons by their strongest link: fixed arrays, so that a million-row extract, where most
    // persons are pieces, costs a few megabytes and no Map of pairs.
    const K = ATTACH_CANDIDATES;
    const pieceOf = new Int32Array(n).fill(-1);
    let pieces = 0;
    for (let i = 0; i < n; i++) if (main.find(i) === i && size[i]! <= ATTACH_SIZE) pieceOf[i] = pieces++;
    const candRoot = new Int32Array(pieces * K).fill(-1);
    const candS = new Int32Array(pieces * K);
    const candJ = new Int32Array(pieces * K);
    const candW = new Float64Array(pieces * K).fill(-Infinity);
    // Links below one in a thousand are not worth their surname comparison, even for the union
    // (CANDIDATE_FLOOR; those the first pass already bounded below it are skipped at once).
    forEachStored((i, j, at) => {
      if (hopeless[at >>> 3]! & (1 << (at & 7))) return;
      const ri = main.find(i);
      const rj = main.find(j);
      const si = size[ri]!;
      const sj = size[rj]!;
      // from a piece to a bigger person only
      if (si === sj || Math.min(si, sj) > ATTACH_SIZE) return;
      const w = boundedWeight(i, j, candidateW);
      if (w === -Infinity) return;
      // (scalars, not a destructured array: this runs on every candidate pair)
      const s = si < sj ? i : j;
      const o = si < sj ? j : i;
      const r = si < sj ? rj : ri;
      const base = pieceOf[si < sj ? ri : rj]! * K;
      let slot = -1;
      let low = base;
      for (let k = base; k < base + K; k++) {
        if (candRoot[k] === r) { slot = k; break; }
        if (candW[k]! < candW[low]!) low = k;
      }
      if (slot < 0) { if (w <= candW[low]!) return; slot = low; candRoot[slot] = r; } else if (w <= candW[slot]!) return;
      candW[slot] = w; candS[slot] = s; candJ[slot] = o;
    }, 'regroupement');
    chunks.length = 0;
    // Members of every person (CSR by root), for the union of their values.
    const memberStart = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) memberStart[main.find(i) + 1]!++;
    for (let i = 0; i < n; i++) memberStart[i + 1]! += memberStart[i]!;
    const members = new Int32Array(n);
    const fillAt = memberStart.slice(0, n);
    for (let i = 0; i < n; i++) members[fillAt[main.find(i)]!++] = i;
    const unionW = unionEvidence(members, memberStart);
    for (let pr = 0; pr < n; pr++) {
      const base = pieceOf[pr]! * K;
      if (base < 0 || candRoot[base]! < 0) continue;
      // the best candidate person by its union evidence (or its best link, if stronger), and the runner-up
      let best = -1; let bestW = -Infinity; let secondW = -Infinity; let byUnion = false;
      for (let k = base; k < base + K && candRoot[k]! >= 0; k++) {
        const u = unionW(candS[k]!, candRoot[k]!);
        const w = Math.max(candW[k]!, u);
        if (w > bestW) { secondW = bestW; bestW = w; best = k; byUnion = u > candW[k]!; } else if (w > secondW) secondW = w;
      }
      if (bestW < floorW || bestW - secondW < ATTACH_MARGIN) continue;
      const s = candS[best]!;
      const ra = main.find(s);
      const rb = main.find(candRoot[best]!);
      if (ra === rb || conflict(ra, rb, s, candJ[best]!)) continue;
      merge(main, ra, rb);
      attached.push([s, candJ[best]!, byUnion]);
    }
  }
  const clustersStrict = countRoots(cluster(strict, false));
  const clustersLoose = countRoots(cluster(loose, false));
  progress('regroupement', 3, 3);
  const clusterOf = new Int32Array(n);
  const idOfRoot = new Int32Array(n).fill(-1);
  let clusters = 0;
  for (let i = 0; i < n; i++) {
    const r = main.find(i);
    if (idOfRoot[r]! < 0) idOfRoot[r] = clusters++;
    clusterOf[i] = idOfRoot[r]!;
  }

  // To review: every merge made below the strict threshold, and for each pair of distinct persons
  // the strongest uncertain or refused link between them (one line per pair of persons).
  const review: ScoredPair[] = [];
  const reviewedPersons = new Set<number>();
  for (const x of order) {
    const p = kp[x]!;
    if (p < loose) break;
    const ca = clusterOf[ka[x]!]!;
    const cb = clusterOf[kb[x]!]!;
    const refused = refusedWhy(x);
    let take = false;
    if (ca === cb) take = uncertainMerge[x] === 1;
    else if (p < strict || refused) {
      const key = Math.min(ca, cb) * n + Math.max(ca, cb);
      take = !reviewedPersons.has(key);
      reviewedPersons.add(key);
    }
    if (take) {
      const s = score(ka[x]!, kb[x]!);
      review.push({ a: ka[x]!, b: kb[x]!, probability: p, weight: s.weight, evidence: s.evidence, ...(refused ? { refused } : {}) });
    }
  }
  for (const [s, j, byUnion] of attached) {
    const e = score(Math.min(s, j), Math.max(s, j));
    review.push({ a: Math.min(s, j), b: Math.max(s, j), probability: 1 / (1 + 2 ** -e.weight), weight: e.weight, evidence: e.evidence, attached: byUnion ? ATTACHED_BY_UNION : ATTACHED });
  }
  return {
    clusterOf, clusters, clustersStrict, clustersLoose, review,
    explain: (a, b) => { const s = score(a, b); return { a, b, weight: s.weight, probability: 1 / (1 + 2 ** -s.weight), evidence: s.evidence }; },
    parameters: { lambda: matchRate, m, u, pairsCompared: pairs, blocksSkipped, blocksWindowed },
  };
}
