import { describe, expect, it } from 'vitest';
import { applyDecisions } from './decisions.ts';

// Five records: 0,1,2 one person; 3 and 4 two others. Weights say 2 resembles 1 more than 0.
const ids = ['a', 'b', 'c', 'd', 'e'];
const clusters = Int32Array.from([0, 0, 0, 1, 2]);
const weight: Record<string, number> = { '0:1': 2, '0:2': -3, '1:2': 8 };
const explain = (x: number, y: number) => ({ weight: weight[x < y ? `${x}:${y}` : `${y}:${x}`] ?? -10 });
const pair = (a: number, b: number) => ({ a, b, probability: 0.6, weight: 1, evidence: [] });

describe('reviewer decisions', () => {
  it('joins two persons on « même personne » and drops the decided pair from the review list', () => {
    const r = applyDecisions(ids, clusters, [pair(3, 4), pair(0, 3)], [{ a: 'e', b: 'd', same: true }], explain);
    expect(r.clusterOf[3]).toBe(r.clusterOf[4]);
    expect(r.clusterOf[0]).not.toBe(r.clusterOf[3]);
    expect(r.applied).toBe(1);
    expect(r.review).toEqual([pair(0, 3)]);
  });

  it('splits a person on « personnes différentes », each record going to the side it resembles', () => {
    const r = applyDecisions(ids, clusters, [], [{ a: 'a', b: 'b', same: false }], explain);
    expect(r.clusterOf[0]).not.toBe(r.clusterOf[1]);
    expect(r.clusterOf[2]).toBe(r.clusterOf[1]);
    expect(clusters[1]).toBe(0); // the input is left alone
  });

  it('keeps a record tied by a reviewer on its side of a split, and ignores unknown records', () => {
    const r = applyDecisions(ids, clusters, [], [{ a: 'a', b: 'b', same: false }, { a: 'a', b: 'c', same: true }, { a: 'zz', b: 'a', same: true }], explain);
    expect(r.clusterOf[2]).toBe(r.clusterOf[0]);
    expect(r.clusterOf[1]).not.toBe(r.clusterOf[0]);
    expect(r.applied).toBe(2);
  });
});
