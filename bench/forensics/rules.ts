// `npx tsx bench/forensics/rules.ts [FILE]` — CPU time of each rule of the default pack, alone, on
// events loaded once (default: the 1M file of `npm run bench:forensics`). Each rule runs REPEAT
// times on one connection; the median of its process CPU time (DuckDB's threads included) is kept.
// The whole pack's total in the same run is the reference: on a shared machine, compare shares.
// `bulk_views_otv_sliding` (not shipped) is the OTV rule with `window: sliding`, for comparison.
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadEvents } from '../../packages/forensics/src/load.ts';
import { prepareContext, runDetectors } from '../../packages/forensics/src/detect.ts';
import { generates, loadRules } from '../../packages/forensics/src/rules.ts';

const file = process.argv[2] ?? join(process.env.BENCH_DATA_DIR ?? join(tmpdir(), 'rempart-bench-forensics'), 'events-1000000.ndjson');
const REPEAT = Number(process.env.BENCH_REPEAT ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB', preserve_insertion_order: 'false' });
const con = await instance.connect();
await con.run("SET TimeZone = 'Europe/Paris'");
const loadStart = loadavg()[0] ?? 0;
const stats = await loadEvents(con, [file], { mapping: null });
const ctx = await prepareContext(con);
const shipped = loadRules();
// The shipped tumbling aggregate once more with a sliding window: what the window frame costs.
const bulk = shipped.find((r) => r.id === 'bulk_views_otv');
const all = bulk?.detector === 'aggregate' ? [...shipped, { ...bulk, id: 'bulk_views_otv_sliding', window: 'sliding' as const }] : shipped;
const rows: { id: string; detector: string; cpu: number; wall: number; hits: number }[] = [];
for (const rule of all.filter((r) => r.enabled && generates(r))) {
  const cpu: number[] = [];
  const wall: number[] = [];
  let hits = 0;
  for (let i = 0; i < REPEAT; i++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    // The whole set goes in so that correlations find their building blocks; only this rule runs.
    hits = (await runDetectors(ctx, all.map((r) => (r.id === rule.id ? r : { ...r, enabled: false })))).length;
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
    wall.push((performance.now() - w0) / 1000);
  }
  rows.push({ id: rule.id, detector: rule.detector, cpu: median(cpu), wall: median(wall), hits });
}
const total = rows.filter((r) => r.id !== 'bulk_views_otv_sliding').reduce((t, r) => t + r.cpu, 0);
process.stdout.write(`${stats.accepted} events, ${REPEAT} runs per rule, load ${loadStart.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)}\n`);
process.stdout.write('| rule | detector | CPU s (median) | share of the pack | wall s (median) | findings |\n|---|---|---:|---:|---:|---:|\n');
for (const r of rows.sort((a, b) => b.cpu - a.cpu)) {
  process.stdout.write(`| ${r.id} | ${r.detector} | ${r.cpu.toFixed(3)} | ${((100 * r.cpu) / total).toFixed(1)} % | ${r.wall.toFixed(3)} | ${r.hits} |\n`);
}
process.stdout.write(`| the ${rows.length - 1} shipped rules | | ${total.toFixed(3)} | 100 % | | |\n`);
con.closeSync();
instance.closeSync();
