// The scoping benchmark's results: the last measurement of each data set and size, kept in
// bench/scoping-results.json, and the section of bench/RESULTS.md written from them. A run with
// BENCH_SIZES=50000 replaces the 50k row only: the 1M and 5M rows stay, marked with their own date.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Scores } from './metrics.ts';

/** What the table shows of an evaluation (metrics.ts `Scores`, B³ precision and recall left out). */
export interface Shown { precision: number; recall: number; f1: number; bcubedF1: number; persons: number; truePersons: number; countError: number }
export const shown = (s: Scores): Shown => ({ precision: s.pairwise.precision, recall: s.pairwise.recall, f1: s.pairwise.f1, bcubedF1: s.bcubed.f1, persons: s.persons, truePersons: s.truePersons, countError: s.countError });

export const STORE = new URL('../scoping-results.json', import.meta.url);

/** One data set at one size, as measured by one run of `npm run bench:scoping`. */
export interface Measurement {
  /** `synthetic-fr`, or the public set's file name. */
  dataset: string;
  rows: number;
  /** ISO time of the measurement, and the commit measured. */
  at: string;
  commit: string;
  machine: string;
  loadStart: number;
  loadEnd: number;
  wallSeconds: number;
  cpuSeconds: number;
  /** Peak resident memory of the bench process during the resolution (input held in memory included). */
  peakRssMb: number;
  /** null for the rows copied from the hand-written notes, which did not always give it. */
  pairsCompared: number | null;
  rempart: Shown;
  exactName: Shown;
  /** Where a row not written by this script comes from. */
  note?: string;
}

export const keyOf = (m: Pick<Measurement, 'dataset' | 'rows'>) => `${m.dataset}:${m.rows}`;

export function readStore(file: URL = STORE): Measurement[] {
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { measurements?: Measurement[] };
  if (!Array.isArray(parsed.measurements)) throw new Error(`${file.pathname} : champ « measurements » absent ou pas une liste`);
  return parsed.measurements;
}

export function writeStore(measurements: Measurement[], file: URL = STORE): void {
  writeFileSync(file, `${JSON.stringify({ measurements }, null, 1)}\n`);
}

/** This run's measurements replace the stored ones of the same data set and size; the others stay. */
export function merge(stored: Measurement[], current: Measurement[]): Measurement[] {
  const byKey = new Map(stored.map((m) => [keyOf(m), m]));
  for (const m of current) byKey.set(keyOf(m), m);
  // French synthetic by size first, then the public sets by name: the growth with size reads down.
  return [...byKey.values()].sort((a, b) => Number(b.dataset === 'synthetic-fr') - Number(a.dataset === 'synthetic-fr') || a.dataset.localeCompare(b.dataset) || a.rows - b.rows);
}

const int = (n: number) => Math.round(n).toLocaleString('en-GB');
const dec = (n: number, digits: number) => n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (n: number) => `${n >= 0 ? '+' : ''}${dec(n * 100, 1)} %`;
const label = (dataset: string) => (dataset === 'synthetic-fr' ? 'French synthetic (seed 42)' : dataset);
const when = (at: string) => `${at.slice(0, 10)} ${at.slice(11, 16)} UTC`;

function scoreCells(s: Shown): string {
  return `${dec(s.precision, 3)} | ${dec(s.recall, 3)} | ${dec(s.f1, 3)} | ${dec(s.bcubedF1, 3)} | ${int(s.persons)} (${int(s.truePersons)}) | ${pct(s.countError)}`;
}

type Verdict = 'met' | '**not met**' | 'not measured';
const verdict = (ok: boolean | undefined): Verdict => (ok === undefined ? 'not measured' : ok ? 'met' : '**not met**');

/** Issue 4's goals, checked on the rows shown (each says which run it comes from). */
export function goals(rows: Measurement[]): string[] {
  const find = (dataset: string, n?: number) => rows.find((m) => m.dataset === dataset && (n === undefined || m.rows === n));
  const fr50 = find('synthetic-fr', 50_000);
  const hist = find('historical_50k');
  const fr1m = find('synthetic-fr', 1_000_000);
  const from = (m: Measurement | undefined) => (m ? ` (run of ${when(m.at)})` : '');
  return [
    `- French 50k: pairwise F1 ≥ 0.95 and person count within ±2 %: ${verdict(fr50 && fr50.rempart.f1 >= 0.95 && Math.abs(fr50.rempart.countError) <= 0.02)}${fr50 ? ` (F1 ${dec(fr50.rempart.f1, 3)}, ${pct(fr50.rempart.countError)})` : ''}${from(fr50)}.`,
    `- historical_50k: recall > 0.67 at precision ≥ 0.93: ${verdict(hist && hist.rempart.recall > 0.67 && hist.rempart.precision >= 0.93)}; person count within 10 % of ${hist ? int(hist.rempart.truePersons) : '5,156'}: ${verdict(hist && Math.abs(hist.rempart.countError) <= 0.1)}${hist ? ` (P ${dec(hist.rempart.precision, 3)}, R ${dec(hist.rempart.recall, 3)}, ${int(hist.rempart.persons)} persons, ${pct(hist.rempart.countError)})` : ''}${from(hist)}.`,
    `- French 1M: under 120 s and under 2 GB on 2 cores: ${verdict(fr1m && fr1m.wallSeconds < 120 && fr1m.peakRssMb < 2048)}${fr1m ? ` (${dec(fr1m.wallSeconds, 1)} s wall, ${dec(fr1m.cpuSeconds, 1)} s CPU, ${int(fr1m.peakRssMb)} MB, load ${dec(fr1m.loadStart, 1)} → ${dec(fr1m.loadEnd, 1)})` : ''}${from(fr1m)}.`,
  ];
}

/** The body of the `scoping` section of bench/RESULTS.md. */
export function renderSection(rows: Measurement[], run: { at: string; commit: string; machine: string; loadStart: number; loadEnd: number; command: string; current: Set<string> }): string {
  const lines = [
    '## Scoping (`npm run bench:scoping`)',
    '',
    `Written by \`bench/scoping/run.ts\` from \`bench/scoping-results.json\` (the last measurement of each data set and size). Last run: \`${run.command}\` on ${when(run.at)}, commit \`${run.commit}\`, ${run.machine}, load ${dec(run.loadStart, 1)} at the start and ${dec(run.loadEnd, 1)} at the end (1-minute average; the machine may be shared: compare CPU time). Rows not measured in that run keep the date of theirs.`,
    '',
    'Resolution = `resolvePersons` on the normalised input (the synthetic extract is generated in a child process); CPU s = the bench process\'s user + system time during it; peak RSS = the process\'s high-water mark from just before the resolution to its end, input included. The exact-name baseline (same normalised surname and first name) is evaluated on the same rows in the same run. Pairwise and B³ against the truth; count error = persons found ÷ true persons − 1.',
    '',
    '| data | rows | method | wall s | CPU s | rows/s | peak RSS MB | pairwise P | R | F1 | B³ F1 | persons (truth) | count error | measured | load (start → end) |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
  ];
  for (const m of rows) {
    const measured = run.current.has(keyOf(m)) ? 'this run' : `${when(m.at)}, \`${m.commit}\`${m.note ? ` (${m.note})` : ''}`;
    lines.push(`| ${label(m.dataset)} | ${int(m.rows)} | Rempart | ${dec(m.wallSeconds, 1)} | ${dec(m.cpuSeconds, 1)} | ${int(m.rows / m.wallSeconds)} | ${int(m.peakRssMb)} | ${scoreCells(m.rempart)} | ${measured} | ${dec(m.loadStart, 1)} → ${dec(m.loadEnd, 1)} |`);
    lines.push(`| | | exact name | — | — | — | — | ${scoreCells(m.exactName)} | | |`);
  }
  lines.push('', 'Against the goals of issue 4:', '', ...goals(rows));
  return lines.join('\n');
}
