// Reviewer decisions applied after resolution, as constraints: « même personne » joins the two
// records' persons, « personnes différentes » splits a person holding both. Kept apart from the
// resolver so that the model can change without touching what people decided.
import type { ScoredPair } from './resolve.ts';

export interface ReviewDecision {
  /** Record identifiers (ScopeRecord.recordId), stable across runs of the same extract. */
  a: string;
  b: string;
  same: boolean;
}

export interface DecisionsApplied {
  clusterOf: Int32Array;
  /** Decisions whose two records were both found. */
  applied: number;
  /** The review list without the pairs someone already decided. */
  review: ScoredPair[];
}

export function applyDecisions(
  recordIds: string[], clusterOf: Int32Array, review: ScoredPair[], decisions: ReviewDecision[],
  explain: (a: number, b: number) => { weight: number },
): DecisionsApplied {
  const index = new Map<string, number>();
  recordIds.forEach((id, i) => { if (!index.has(id)) index.set(id, i); });
  const out = Int32Array.from(clusterOf);
  let next = out.reduce((m, c) => Math.max(m, c), -1) + 1;
  const found = decisions.map((d) => ({ ...d, ia: index.get(d.a), ib: index.get(d.b) })).filter((d): d is typeof d & { ia: number; ib: number } => d.ia !== undefined && d.ib !== undefined && d.ia !== d.ib);
  const relabel = (from: number, to: number) => { for (let i = 0; i < out.length; i++) if (out[i] === from) out[i] = to; };
  for (const d of found) if (d.same && out[d.ia] !== out[d.ib]) relabel(out[d.ib]!, out[d.ia]!);
  // A split puts each record of the person with whichever of the two records it resembles most;
  // records a reviewer tied to one side follow it.
  for (const d of found) {
    if (d.same || out[d.ia] !== out[d.ib]) continue;
    const c = out[d.ia]!;
    const side = next++;
    for (let i = 0; i < out.length; i++) {
      if (out[i] !== c || i === d.ia) continue;
      if (i === d.ib || explain(d.ib, i).weight > explain(d.ia, i).weight) out[i] = side;
    }
    for (const m of found) {
      if (!m.same) continue;
      if (m.ia === d.ia || m.ia === d.ib) { if (m.ib !== d.ia && m.ib !== d.ib) out[m.ib] = out[m.ia]!; }
      else if ((m.ib === d.ia || m.ib === d.ib) && m.ia !== d.ia && m.ia !== d.ib) out[m.ia] = out[m.ib]!;
    }
  }
  const decided = new Set(found.map((d) => (d.ia < d.ib ? `${d.ia}:${d.ib}` : `${d.ib}:${d.ia}`)));
  return { clusterOf: out, applied: found.length, review: review.filter((p) => !decided.has(p.a < p.b ? `${p.a}:${p.b}` : `${p.b}:${p.a}`)) };
}
