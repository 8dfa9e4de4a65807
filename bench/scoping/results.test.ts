import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluate } from './metrics.ts';
import { goals, keyOf, merge, readStore, renderSection, shown, writeStore, type Measurement } from './results.ts';

// Scores from real clusterings (metrics.ts), not typed in: 6 records, 3 true persons.
const truth = [1, 1, 2, 2, 3, 3];
const perfect = shown(evaluate([1, 1, 2, 2, 3, 3], truth));
const split = shown(evaluate([1, 2, 3, 4, 5, 6], truth));

function measurement(rows: number, at: string, over: Partial<Measurement> = {}): Measurement {
  return { dataset: 'synthetic-fr', rows, at, commit: 'abc1234', machine: '2 cores', loadStart: 1, loadEnd: 2, wallSeconds: rows / 10_000, cpuSeconds: rows / 12_000, peakRssMb: rows / 1000, pairsCompared: rows * 20, rempart: perfect, exactName: split, ...over };
}

describe('scoping bench results', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rempart-scoping-results-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a run of one size replaces that size only: the sizes not run keep their row and its date', () => {
    const stored = [measurement(1_000_000, '2026-11-28T12:45:00.000Z'), measurement(5_000_000, '2026-11-28T08:36:00.000Z'), measurement(50_000, '2026-11-27T10:00:00.000Z')];
    const current = [measurement(50_000, '2026-11-28T14:00:00.000Z', { commit: 'def5678' })];
    const rows = merge(stored, current);
    expect(rows.map((m) => [m.rows, m.at])).toEqual([[50_000, '2026-11-28T14:00:00.000Z'], [1_000_000, '2026-11-28T12:45:00.000Z'], [5_000_000, '2026-11-28T08:36:00.000Z']]);

    const text = renderSection(rows, { at: '2026-11-28T14:00:00.000Z', commit: 'def5678', machine: '2 cores', loadStart: 1.5, loadEnd: 2.5, command: 'BENCH_SIZES=50000 npm run bench:scoping', current: new Set(current.map(keyOf)) });
    const line = (rowsText: string) => text.split('\n').find((l) => l.startsWith(`| French synthetic (seed 42) | ${rowsText} |`))!;
    expect(line('50,000')).toContain('| this run |');
    expect(line('5,000,000')).toContain('| 2026-11-28 08:36 UTC, `abc1234` |');
    // rows/s and peak RSS per size, so that the growth reads down the table
    expect(line('1,000,000')).toContain('| Rempart | 100.0 | 83.3 | 10,000 | 1,000 |');
    expect(text).toContain('load 1.5 at the start and 2.5 at the end');
    // the exact-name baseline of the same rows, beneath each
    const lines = text.split('\n');
    expect(lines[lines.indexOf(line('50,000')) + 1]).toBe('| | | exact name | — | — | — | — | 1.000 | 0.000 | 0.000 | 0.667 | 6 (3) | +100.0 % | | |');
  });

  it('checks the goals of issue 4 on the rows it has, and says which are not measured', () => {
    const french = measurement(50_000, '2026-11-28T14:00:00.000Z');
    const historical = measurement(50_578, '2026-11-28T14:01:00.000Z', { dataset: 'historical_50k', rempart: split });
    const slow = measurement(1_000_000, '2026-11-28T12:45:00.000Z', { wallSeconds: 130 });
    const lines = goals([french, historical, slow]);
    expect(lines[0]).toMatch(/^- French 50k: .*: met \(F1 1\.000, \+0\.0 %\)/);
    expect(lines[1]).toMatch(/precision ≥ 0\.93: \*\*not met\*\*; person count within 10 % of 3: \*\*not met\*\*/);
    expect(lines[2]).toMatch(/under 2 GB on 2 cores: \*\*not met\*\* \(130\.0 s wall/);
    expect(goals([french])[2]).toContain('not measured');
  });

  it('keeps the store through a write and a read, and names the file of a broken one', () => {
    const file = pathToFileURL(join(dir, 'store.json'));
    const rows = [measurement(50_000, '2026-11-28T14:00:00.000Z')];
    writeStore(rows, file);
    expect(readStore(file)).toEqual(rows);
    writeFileSync(file, '{"rows": []}');
    expect(() => readStore(file)).toThrow(/store\.json : champ « measurements » absent/);
  });
});
