// Pairwise and B-cubed precision/recall/F1 of a predicted clustering against the truth.
export interface Scores { pairwise: { precision: number; recall: number; f1: number }; bcubed: { precision: number; recall: number; f1: number }; persons: number; truePersons: number; countError: number }

const f1 = (p: number, r: number) => (p + r ? (2 * p * r) / (p + r) : 0);
const pairsOf = (size: number) => (size * (size - 1)) / 2;

export function evaluate(predicted: ArrayLike<number | string>, truth: ArrayLike<number | string>): Scores {
  const n = truth.length;
  const pred = new Map<number | string, number>();
  const tru = new Map<number | string, number>();
  const both = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    pred.set(predicted[i]!, (pred.get(predicted[i]!) ?? 0) + 1);
    tru.set(truth[i]!, (tru.get(truth[i]!) ?? 0) + 1);
    const k = `${predicted[i]}\u0000${truth[i]}`;
    both.set(k, (both.get(k) ?? 0) + 1);
  }
  let tp = 0; let pp = 0; let tpairs = 0;
  for (const c of both.values()) tp += pairsOf(c);
  for (const c of pred.values()) pp += pairsOf(c);
  for (const c of tru.values()) tpairs += pairsOf(c);
  let bp = 0; let br = 0;
  for (const [k, c] of both) {
    const [p, t] = k.split('\u0000');
    const ps = pred.get(typeof predicted[0] === 'number' ? Number(p) : p!)!;
    const ts = tru.get(typeof truth[0] === 'number' ? Number(t) : t!)!;
    bp += (c * c) / ps;
    br += (c * c) / ts;
  }
  bp /= n; br /= n;
  const precision = pp ? tp / pp : 1;
  const recall = tpairs ? tp / tpairs : 1;
  return {
    pairwise: { precision, recall, f1: f1(precision, recall) },
    bcubed: { precision: bp, recall: br, f1: f1(bp, br) },
    persons: pred.size, truePersons: tru.size, countError: (pred.size - tru.size) / tru.size,
  };
}
