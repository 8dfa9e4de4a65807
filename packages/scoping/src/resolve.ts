// Person resolution: multi-key blocking, Fellegi–Sunter with parameters estimated from the data
// (u from random pairs, m by EM), term-frequency adjusted name weights, and clustering that refuses
// merges contradicting what a cluster already holds (birth dates, first names).
import { birthCloseness, firstNameKey, jaroWinkler, surnameKey, surnameTokens, normText } from './normalize.ts';

export interface PersonInput {
  last_name?: string;
  first_name?: string;
  birth_date?: string; // yyyy-MM-dd
  phone?: string; // E.164
  email?: string;
  address?: string; // normalised
  postcode?: string;
}

interface Feat {
  last: string; lastTokens: string[]; first: string; firstInit: string; firstIsInit: boolean; firstNorm: string;
  birth: string; phone: string; email: string; addr: string; postcode: string;
}

export const FIELDS = ['last_name', 'first_name', 'birth_date', 'phone', 'email', 'address'] as const;
export type Field = (typeof FIELDS)[number];
// Level names per field, index = level; the last level of every field is "missing" (no evidence).
export const LEVELS: Record<Field, string[]> = {
  last_name: ['identique', 'proche', 'différent', 'absent'],
  first_name: ['identique', 'compatible', 'différent', 'absent'],
  birth_date: ['identique', 'une faute de frappe', 'différente', 'absente'],
  phone: ['identique', 'différent', 'absent'],
  email: ['identique', 'différent', 'absent'],
  address: ['identique', 'même code postal', 'différente', 'absente'],
};
const NF = FIELDS.length;

export interface ResolveOptions {
  /** Match probability at or above which two records are merged (default 0.9). */
  threshold?: number;
  /** Strict and loose thresholds that bound the person count (defaults 0.99 and 0.5). */
  strict?: number;
  loose?: number;
  /** Largest block compared exhaustively; bigger blocks (very common keys) are skipped. */
  maxBlock?: number;
  signal?: AbortSignal;
  onProgress?: (stage: string, done: number, total: number) => void;
  seed?: number;
  /** Refuse merging clusters whose first names are incompatible (default true). */
  refuseFirstNameConflicts?: boolean;
}

export interface FieldEvidence { field: Field; level: string; weight: number }
export interface ScoredPair { a: number; b: number; probability: number; weight: number; evidence: FieldEvidence[]; refused?: string }

export interface Resolution {
  /** cluster index per record, clusters numbered by their first record */
  clusterOf: Int32Array;
  clusters: number;
  clustersStrict: number;
  clustersLoose: number;
  review: ScoredPair[];
  /** strongest accepted link per record into its cluster (record → explanation) */
  explain: (a: number, b: number) => ScoredPair;
  parameters: { lambda: number; m: number[][]; u: number[][]; pairsCompared: number; blocksSkipped: number };
}

function features(p: PersonInput): Feat {
  const f = firstNameKey(p.first_name);
  return {
    last: surnameKey(p.last_name), lastTokens: surnameTokens(p.last_name), first: f.key, firstInit: f.initials, firstIsInit: f.isInitials,
    firstNorm: normText(p.first_name).split(' ')[0] ?? '',
    birth: p.birth_date ?? '', phone: p.phone ?? '', email: p.email ?? '', addr: p.address ?? '', postcode: p.postcode ?? '',
  };
}

function firstLevel(a: Feat, b: Feat): number {
  if (!a.first || !b.first) return 3;
  if (a.first === b.first) return 0;
  if (a.firstIsInit || b.firstIsInit) return a.firstInit === b.firstInit || a.firstInit.startsWith(b.firstInit) || b.firstInit.startsWith(a.firstInit) ? 1 : 2;
  // "JEAN" vs "JEANPIERRE": a compound name written in part
  if (a.first.startsWith(b.first) || b.first.startsWith(a.first)) return 1;
  if (a.firstNorm === b.firstNorm && a.firstNorm.length > 2) return 1;
  return jaroWinkler(a.first, b.first) >= 0.9 ? 1 : 2;
}

function lastLevel(a: Feat, b: Feat): number {
  if (!a.last || !b.last) return 3;
  if (a.last === b.last) return 0;
  // nom d'usage vs nom de naissance written together ("DUPONT MARTIN" vs "MARTIN")
  for (const t of a.lastTokens) if (t.length > 2 && b.lastTokens.includes(t)) return 1;
  return jaroWinkler(a.last, b.last) >= 0.9 ? 1 : 2;
}

// One of the two written with first and last name swapped.
function inverted(a: Feat, b: Feat): boolean {
  return !!a.first && (a.first === b.last || b.first === a.last);
}

function gamma(a: Feat, b: Feat, out: Uint8Array): void {
  let l = lastLevel(a, b);
  let f = firstLevel(a, b);
  // inverted first and last names
  if (l === 2 && a.last && a.first && a.last === b.first && a.first === b.last) { l = 0; f = 0; }
  out[0] = l;
  out[1] = f;
  out[2] = !a.birth || !b.birth ? 3 : birthCloseness(a.birth, b.birth);
  out[3] = !a.phone || !b.phone ? 2 : a.phone === b.phone ? 0 : 1;
  out[4] = !a.email || !b.email ? 2 : a.email === b.email ? 0 : 1;
  out[5] = !a.addr && !a.postcode || !b.addr && !b.postcode ? 3 : a.addr && a.addr === b.addr && a.postcode === b.postcode ? 0 : a.postcode && a.postcode === b.postcode ? 1 : 2;
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

export function resolvePersons(people: PersonInput[], options: ResolveOptions = {}): Resolution {
  const threshold = options.threshold ?? 0.9;
  const strict = options.strict ?? 0.99;
  const loose = options.loose ?? 0.5;
  const maxBlock = options.maxBlock ?? 400;
  const refuseFirstNames = options.refuseFirstNameConflicts ?? true;
  const n = people.length;
  const feats = people.map(features);
  const progress = options.onProgress ?? (() => {});

  // Term frequencies: the chance that two random records share this exact value.
  const lastFreq = new Map<string, number>();
  const firstFreq = new Map<string, number>();
  for (const f of feats) {
    if (f.last) lastFreq.set(f.last, (lastFreq.get(f.last) ?? 0) + 1);
    if (f.first) firstFreq.set(f.first, (firstFreq.get(f.first) ?? 0) + 1);
  }

  // Blocking: several independent keys so that one typo does not lose a true pair.
  const blocks = new Map<string, number[]>();
  const add = (k: string, i: number) => { const b = blocks.get(k); if (b) b.push(i); else blocks.set(k, [i]); };
  for (let i = 0; i < n; i++) {
    const f = feats[i]!;
    const fi = f.firstInit[0] ?? '';
    if (f.birth) add(`b${f.birth}`, i);
    if (f.last) add(`n${f.last}|${fi}`, i);
    if (f.first && f.birth) add(`f${f.first}|${f.birth.slice(0, 4)}`, i);
    if (f.last && f.birth) add(`y${f.last.slice(0, 3)}|${f.birth.slice(0, 4)}|${fi}`, i);
    if (f.last && f.first) add(`x${[f.last, f.first].sort().join('|')}`, i);
    if (f.first && f.last) add(`s${f.first}|${f.last.slice(0, 2)}`, i);
    if (f.phone) add(`p${f.phone}`, i);
    if (f.email) add(`e${f.email}`, i);
  }
  // Pairs deduplicated per record with a marker array (a Set of pair keys tops out near 16M entries).
  const blockList: number[][] = [];
  const blocksOf: number[][] = Array.from({ length: n }, () => []);
  let blocksSkipped = 0;
  for (const ids of blocks.values()) {
    if (ids.length < 2) continue;
    if (ids.length > maxBlock) { blocksSkipped++; continue; }
    const b = blockList.length;
    blockList.push(ids);
    for (const i of ids) blocksOf[i]!.push(b);
  }
  blocks.clear();
  let pa = new Int32Array(1 << 16);
  let pb = new Int32Array(1 << 16);
  let count = 0;
  const mark = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    for (const b of blocksOf[i]!) {
      for (const j of blockList[b]!) {
        if (j <= i || mark[j] === i) continue;
        mark[j] = i;
        if (count === pa.length) { const na = new Int32Array(pa.length * 2); na.set(pa); pa = na; const nb = new Int32Array(pb.length * 2); nb.set(pb); pb = nb; }
        pa[count] = i;
        pb[count] = j;
        count++;
      }
    }
    if ((i & 0xffff) === 0) checkAbort(options.signal);
  }
  pa = pa.subarray(0, count);
  pb = pb.subarray(0, count);
  checkAbort(options.signal);
  const pairs = count;
  progress('comparaison', 0, pairs);

  // Comparison vectors, coded as a pattern number so that EM runs over distinct patterns only.
  const g = new Uint8Array(NF);
  const radix = [4, 4, 4, 3, 3, 4];
  const patternOf = new Int32Array(pairs);
  const patternCount = new Map<number, number>();
  for (let k = 0; k < pairs; k++) {
    gamma(feats[pa[k]!]!, feats[pb[k]!]!, g);
    let code = 0;
    for (let f = 0; f < NF; f++) code = code * radix[f]! + g[f]!;
    patternOf[k] = code;
    patternCount.set(code, (patternCount.get(code) ?? 0) + 1);
    if ((k & 0xfffff) === 0 && k) { checkAbort(options.signal); progress('comparaison', k, pairs); }
  }
  const decode = (code: number): number[] => { const out = new Array<number>(NF); for (let f = NF - 1; f >= 0; f--) { out[f] = code % radix[f]!; code = Math.floor(code / radix[f]!); } return out; };

  // u: level frequencies among random pairs (almost all non-matches).
  const rand = mulberry32(options.seed ?? 20240301);
  // Priors as pseudo-counts, so that a small extract (a few hundred rows) still gets sane weights;
  // on a real extract the data outweighs them.
  const U_PRIOR = [[0.002, 0.003, 0.85, 0.145], [0.02, 0.02, 0.95, 0.01], [0.0005, 0.005, 0.6, 0.3945], [0.0002, 0.7, 0.2998], [0.0002, 0.5, 0.4998], [0.001, 0.02, 0.8, 0.179]];
  const M_PRIOR = [[0.85, 0.1, 0.02, 0.03], [0.8, 0.15, 0.04, 0.01], [0.8, 0.05, 0.01, 0.14], [0.5, 0.1, 0.4], [0.4, 0.05, 0.55], [0.5, 0.1, 0.1, 0.3]];
  const u = U_PRIOR.map((row) => row.map((v) => v * 2000));
  const samples = Math.min(200_000, (n * (n - 1)) / 2);
  for (let s = 0; s < samples && n > 1; s++) {
    const a = Math.floor(rand() * n);
    let b = Math.floor(rand() * (n - 1));
    if (b >= a) b++;
    gamma(feats[a]!, feats[b]!, g);
    for (let f = 0; f < NF; f++) u[f]![g[f]!]!++;
  }
  for (const row of u) { const t = row.reduce((x, y) => x + y, 0); for (let l = 0; l < row.length; l++) row[l] = row[l]! / t; }
  // m: EM over candidate pairs with u held fixed.
  const m = radix.map((r) => Array.from({ length: r }, (_, l) => (l === r - 1 ? 0.1 : l === 0 ? 0.85 : 0.05 / Math.max(1, r - 2))) as number[]).map((row) => row.map((v) => v));
  let lambda = Math.min(0.5, Math.max(1e-4, n / Math.max(1, pairs) / 2));
  const patterns = [...patternCount.entries()].map(([code, count]) => ({ levels: decode(code), count }));
  // Plain EM over blocked pairs drifts to a spurious class (pairs blocked on a shared birth date
  // "agree" massively). m of each field is therefore estimated leave-one-out: among pairs whose
  // OTHER fields already make a confident match, how often does this field agree? Two passes.
  const patternWeight = (levels: number[], f: number, mm: number[][]) => {
    let w = 0;
    for (let h = 0; h < NF; h++) {
      if (h === f) continue;
      const l = levels[h]!;
      if (l === radix[h]! - 1) continue;
      w += Math.log2(Math.max(1e-9, mm[h]![l]!) / Math.max(1e-9, u[h]![l]!));
    }
    return w;
  };
  for (let iter = 0; iter < 3; iter++) {
    const acc = M_PRIOR.map((row) => row.map((v) => v * 50));
    let confident = 0;
    for (const p of patterns) {
      for (let f = 0; f < NF; f++) {
        if (patternWeight(p.levels, f, m) >= 12) { acc[f]![p.levels[f]!]! += p.count; if (f === 0) confident += p.count; }
      }
    }
    for (let f = 0; f < NF; f++) { const t = acc[f]!.reduce((x, y) => x + y, 0); for (let l = 0; l < radix[f]!; l++) m[f]![l] = acc[f]![l]! / t; }
    lambda = Math.min(0.3, Math.max(1e-4, Math.min(0.3, (0.1 * n) / Math.max(1, pairs)), confident / Math.max(1, pairs)));
  }
  checkAbort(options.signal);
  // Non-missing levels are renormalised so that "missing" carries no weight.
  const weights = radix.map((r, f) => {
    const out = new Array<number>(r).fill(0);
    const mt = 1 - m[f]![r - 1]!;
    const ut = 1 - u[f]![r - 1]!;
    for (let l = 0; l < r - 1; l++) out[l] = Math.log2(Math.max(1e-9, m[f]![l]! / mt) / Math.max(1e-9, u[f]![l]! / ut));
    return out;
  });
  const prior = Math.log2(lambda / (1 - lambda));
  const uLastExact = u[0]![0]! / (1 - u[0]![3]!);
  const uFirstExact = u[1]![0]! / (1 - u[1]![3]!);
  const mLastExact = m[0]![0]! / (1 - m[0]![3]!);
  const mFirstExact = m[1]![0]! / (1 - m[1]![3]!);
  const nLast = [...lastFreq.values()].reduce((x, y) => x + y, 0) || 1;
  const nFirst = [...firstFreq.values()].reduce((x, y) => x + y, 0) || 1;

  // Chance that another random record carries this value, smoothed towards the average so that a
  // name seen twice in a 3-row file does not look common.
  const tfU = (count: number, total: number, average: number) => Math.max(average * 0.05, (count - 1 + average * 1000) / (total - 1 + 1000));
  const score = (a: number, b: number, withEvidence: boolean): { weight: number; evidence: FieldEvidence[] } => {
    const fa = feats[a]!;
    const fb = feats[b]!;
    gamma(fa, fb, g);
    let w = prior;
    const evidence: FieldEvidence[] = [];
    for (let f = 0; f < NF; f++) {
      const l = g[f]!;
      let fw = weights[f]![l]!;
      // A shared rare name says more than a shared "MARTIN": the u of that value is its frequency.
      if (f === 0 && l === 0 && fa.last === fb.last) fw = Math.log2(Math.max(1e-9, mLastExact) / tfU(lastFreq.get(fa.last) ?? 1, nLast, uLastExact));
      if (f === 1 && l === 0 && fa.first === fb.first) fw = Math.log2(Math.max(1e-9, mFirstExact) / tfU(firstFreq.get(fa.first) ?? 1, nFirst, uFirstExact));
      w += fw;
      if (withEvidence) evidence.push({ field: FIELDS[f]!, level: LEVELS[FIELDS[f]!][l]!, weight: Math.round(fw * 100) / 100 });
    }
    return { weight: w, evidence };
  };

  const prob = new Float32Array(pairs);
  for (let k = 0; k < pairs; k++) {
    const w = score(pa[k]!, pb[k]!, false).weight;
    prob[k] = 1 / (1 + 2 ** -w);
  }
  progress('comparaison', pairs, pairs);
  let kept = 0;
  for (let k = 0; k < pairs; k++) if (prob[k]! >= Math.min(loose, threshold)) kept++;
  const order = new Int32Array(kept);
  kept = 0;
  for (let k = 0; k < pairs; k++) if (prob[k]! >= Math.min(loose, threshold)) order[kept++] = k;
  order.sort((x, y) => prob[y]! - prob[x]! || pa[x]! - pa[y]! || pb[x]! - pb[y]!);

  const refusedAt = new Map<number, string>();
  const uncertainMerge = new Set<number>();
  const cluster = (t: number, record: boolean): UnionFind => {
    const uf = new UnionFind(n);
    const births = new Map<number, string[]>();
    const firsts = new Map<number, Feat[]>();
    for (let i = 0; i < n; i++) { const f = feats[i]!; births.set(i, f.birth ? [f.birth] : []); firsts.set(i, f.first ? [f] : []); }
    for (const k of order) {
      if (prob[k]! < t) break;
      const ra = uf.find(pa[k]!);
      const rb = uf.find(pb[k]!);
      if (ra === rb) continue;
      const ba = births.get(ra)!;
      const bb = births.get(rb)!;
      let why = '';
      for (const x of ba) { for (const y of bb) if (birthCloseness(x, y) === 2) { why = `dates de naissance contradictoires (${x} / ${y})`; break; } if (why) break; }
      if (!why && refuseFirstNames) {
        const fa = firsts.get(ra)!;
        const fb = firsts.get(rb)!;
        outer: for (const x of fa) for (const y of fb) if (firstLevel(x, y) === 2 && jaroWinkler(x.first, y.first) < 0.8 && !inverted(x, y)) { why = `prénoms incompatibles (${x.first} / ${y.first})`; break outer; }
      }
      if (why) { if (record) refusedAt.set(k, why); continue; }
      if (record && prob[k]! < strict) uncertainMerge.add(k);
      const [keep, drop] = ra < rb ? [ra, rb] : [rb, ra];
      uf.parent[drop] = keep;
      const mb = births.get(keep)!;
      for (const x of births.get(drop)!) if (!mb.includes(x) && mb.length < 8) mb.push(x);
      const mf = firsts.get(keep)!;
      for (const x of firsts.get(drop)!) if (!mf.some((y) => y.first === x.first) && mf.length < 8) mf.push(x);
      births.delete(drop);
      firsts.delete(drop);
    }
    return uf;
  };
  const countRoots = (uf: UnionFind) => { let c = 0; for (let i = 0; i < n; i++) if (uf.find(i) === i) c++; return c; };
  progress('regroupement', 0, 3);
  const main = cluster(threshold, true);
  const clustersStrict = countRoots(cluster(strict, false));
  const clustersLoose = countRoots(cluster(loose, false));
  progress('regroupement', 3, 3);
  const clusterOf = new Int32Array(n);
  const idOfRoot = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const r = main.find(i);
    let id = idOfRoot.get(r);
    if (id === undefined) { id = idOfRoot.size; idOfRoot.set(r, id); }
    clusterOf[i] = id;
  }

  // To review: every merge made below the strict threshold, and for each pair of distinct persons
  // the strongest uncertain or refused link between them (one line per pair of persons).
  const review: ScoredPair[] = [];
  const reviewedPersons = new Set<number>();
  for (const k of order) {
    const p = prob[k]!;
    if (p < loose) break;
    const ca = clusterOf[pa[k]!]!;
    const cb = clusterOf[pb[k]!]!;
    const refused = refusedAt.get(k);
    let take = false;
    if (ca === cb) take = uncertainMerge.has(k);
    else if (p < strict || refused) {
      const key = Math.min(ca, cb) * n + Math.max(ca, cb);
      take = !reviewedPersons.has(key);
      reviewedPersons.add(key);
    }
    if (take) {
      const s = score(pa[k]!, pb[k]!, true);
      review.push({ a: pa[k]!, b: pb[k]!, probability: p, weight: s.weight, evidence: s.evidence, ...(refused ? { refused } : {}) });
    }
  }
  return {
    clusterOf, clusters: idOfRoot.size, clustersStrict, clustersLoose, review,
    explain: (a, b) => { const s = score(a, b, true); return { a, b, weight: s.weight, probability: 1 / (1 + 2 ** -s.weight), evidence: s.evidence }; },
    parameters: { lambda, m, u, pairsCompared: pairs, blocksSkipped },
  };
}
