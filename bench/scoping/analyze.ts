// Where does the resolver lose on a public set? Samples missed pairs (same true person, split) and
// false merges (different persons, one cluster) with the resolver's own explanation of each pair.
// node --import tsx bench/scoping/analyze.ts [historical|febrl2|febrl3] [samples]
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { resolvePersons, type PersonInput } from '../../packages/scoping/src/index.ts';
import { publicSet } from './public.ts';

const which = process.argv[2] ?? 'historical';
const samples = Number(process.argv[3] ?? 25);
const { people, truth, raw } = publicSet(which, (f) => parse(readFileSync(f), { columns: true, trim: true }) as Record<string, string>[]);
const r = resolvePersons(people);
const n = people.length;
// deterministic pseudo-random sampling
let s = 12345;
const rnd = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 4294967296; };
const byTruth = new Map<string | number, number[]>();
for (let i = 0; i < n; i++) { const t = truth[i]!; const l = byTruth.get(t); if (l) l.push(i); else byTruth.set(t, [i]); }
const byPred = new Map<number, number[]>();
for (let i = 0; i < n; i++) { const t = r.clusterOf[i]!; const l = byPred.get(t); if (l) l.push(i); else byPred.set(t, [i]); }
const show = (i: number) => JSON.stringify(raw[i]);
const describe = (a: number, b: number) => {
  const e = r.explain(a, b);
  return `p=${e.probability.toFixed(3)} w=${e.weight.toFixed(1)} ${e.evidence.map((x) => `${x.field}:${x.level}(${x.weight})`).join(' ')}`;
};
// Missed pairs: bucket by reason
const buckets: Record<string, number> = {};
const missed: [number, number][] = [];
for (const members of byTruth.values()) {
  for (let x = 0; x < members.length; x++) for (let y = x + 1; y < members.length; y++) {
    const a = members[x]!; const b = members[y]!;
    if (r.clusterOf[a] === r.clusterOf[b]) continue;
    missed.push([a, b]);
  }
}
for (let k = 0; k < Math.min(20000, missed.length); k++) {
  const [a, b] = missed[Math.floor(rnd() * missed.length)]!;
  const e = r.explain(a, b);
  const key = e.probability >= 0.9 ? 'score≥0.9 (refused/not blocked)' : e.probability >= 0.5 ? '0.5–0.9' : 'below 0.5';
  buckets[key] = (buckets[key] ?? 0) + 1;
  for (const ev of e.evidence) { const kk = `${ev.field}=${ev.level}`; buckets[kk] = (buckets[kk] ?? 0) + 1; }
}
console.log(`missed pairs ${missed.length}; in a sample of ${Math.min(20000, missed.length)}:`);
for (const [k, v] of Object.entries(buckets).sort()) console.log(`  ${k}: ${v}`);
console.log('\n--- missed pairs (sample) ---');
for (let k = 0; k < samples && missed.length; k++) {
  const [a, b] = missed[Math.floor(rnd() * missed.length)]!;
  console.log(`${describe(a, b)}\n  ${show(a)}\n  ${show(b)}`);
}
// Pieces: each part of a true person split off its largest part, by cause: the best link of the
// piece to that part (what the model thinks of the pair), and whether the review list holds a link
// between the two predicted persons (refused, or below the threshold) or none (no candidate pair
// reached the loose threshold, most often because no blocking key brought them together).
const reviewed = new Map<string, string>();
for (const x of r.review) {
  const a = r.clusterOf[x.a]!; const b = r.clusterOf[x.b]!;
  reviewed.set(`${Math.min(a, b)} ${Math.max(a, b)}`, x.refused ? 'refused' : 'weak link');
}
const causes: Record<string, number> = {};
for (const members of byTruth.values()) {
  const parts = new Map<number, number[]>();
  for (const i of members) { const c = r.clusterOf[i]!; const l = parts.get(c); if (l) l.push(i); else parts.set(c, [i]); }
  if (parts.size < 2) continue;
  const [main, ...rest] = [...parts.values()].sort((a, b) => b.length - a.length);
  for (const piece of rest) {
    let best = 0;
    for (const i of piece) for (const j of main!) best = Math.max(best, r.explain(i, j).probability);
    const ca = r.clusterOf[piece[0]!]!; const cb = r.clusterOf[main![0]!]!;
    const bare = piece.every((k) => !people[k]!.last_name && !people[k]!.birth_date) ? ', no surname nor birth date' : '';
    const k = `${piece.length === 1 ? 'lone record' : 'piece'}, best link ${best >= 0.5 ? '≥ 0.5' : best >= 0.1 ? '0.1–0.5' : '< 0.1'}, ${reviewed.get(`${Math.min(ca, cb)} ${Math.max(ca, cb)}`) ?? 'not in review'}${bare}`;
    causes[k] = (causes[k] ?? 0) + 1;
  }
}
console.log(`\n--- pieces split off their person (${r.clusters} persons predicted) ---`);
for (const [k, v] of Object.entries(causes).sort((a, b) => b[1] - a[1])) console.log(`  ${v}\t${k}`);

// The person count itself: predicted persons that are not the largest part of any true person
// (each one is a person too many), by size and by their best link to their true person's largest
// part; and true persons whose largest part is another's (each one is a person too few).
const largest = new Map<string | number, number>();
for (const [t, members] of byTruth) {
  const at = new Map<number, number>();
  for (const i of members) at.set(r.clusterOf[i]!, (at.get(r.clusterOf[i]!) ?? 0) + 1);
  largest.set(t, [...at.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0]);
}
const mains = new Set(largest.values());
const excess: Record<string, number> = {};
for (const [c, members] of byPred) {
  if (mains.has(c)) continue;
  const at = new Map<string | number, number>();
  for (const i of members) at.set(truth[i]!, (at.get(truth[i]!) ?? 0) + 1);
  const t = [...at.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  let best = 0;
  for (const i of members) for (const j of byPred.get(largest.get(t)!)!) best = Math.max(best, r.explain(i, j).probability);
  const bare = members.every((k) => !people[k]!.last_name && !people[k]!.birth_date) ? ', no surname nor birth date' : '';
  const k = `${members.length === 1 ? '1 record' : members.length <= 3 ? '2–3 records' : '4+ records'}, best link ${best >= 0.5 ? '≥ 0.5' : best >= 0.1 ? '0.1–0.5' : '< 0.1'}${bare}`;
  excess[k] = (excess[k] ?? 0) + 1;
}
console.log(`\n--- the count: ${r.clusters} = ${byTruth.size} true persons − ${byTruth.size - mains.size} sharing their largest part with another + ${r.clusters - mains.size} persons too many ---`);
for (const [k, v] of Object.entries(excess).sort((a, b) => b[1] - a[1])) console.log(`  ${v}\t${k}`);

console.log('\n--- false merges (sample of mixed clusters) ---');
const mixed = [...byPred.values()].filter((m) => new Set(m.map((i) => truth[i])).size > 1);
console.log(`mixed clusters ${mixed.length}`);
for (let k = 0; k < samples && mixed.length; k++) {
  const m = mixed[Math.floor(rnd() * mixed.length)]!;
  const a = m[0]!;
  const b = m.find((i) => truth[i] !== truth[a])!;
  console.log(`${describe(a, b)}\n  ${show(a)}\n  ${show(b)}`);
}
export type { PersonInput };
