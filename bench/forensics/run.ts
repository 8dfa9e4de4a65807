// `npm run bench:forensics` — a generated year of logs (300 agents, injected compromises and baits)
// at 1M, 5M and 20M events (BENCH_SIZES=1000000,5000000 to choose), scanned with the default rule
// pack and compared, on the same file and in the same run, with a DuckDB per-account per-day
// aggregation and a Node readline + JSON.parse loop. Each measurement runs in its own process so
// that its peak RSS (DuckDB's native memory included) is its own. Results go to bench/RESULTS.md.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, createReadStream, createWriteStream, renameSync } from 'node:fs';
import { once } from 'node:events';
import iconv from 'iconv-lite';
import { DateTime } from 'luxon';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { generate, type GeneratedTruth } from './generate.ts';
import { runChild, writeSection } from '../lib.ts';
import { build, isFresh } from '../../scripts/build-forensics.mjs';

const SELF = fileURLToPath(import.meta.url);
const SCAN_CHILD = fileURLToPath(new URL('./scan-child.mjs', import.meta.url));
const DATA = process.env.BENCH_DATA_DIR ?? join(tmpdir(), 'rempart-bench-forensics');
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 20 * 60_000);

interface Measure { seconds: number; cpuSeconds: number; maxRssMb: number; extra?: Record<string, unknown> }

async function child(kind: string, file: string): Promise<void> {
  const started = performance.now();
  let extra: Record<string, unknown> = {};
  if (kind === 'duckdb') {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
    const con = await instance.connect();
    const reader = await con.runAndReadAll(`SELECT count(*)::DOUBLE AS groups FROM (SELECT "user".name AS u, CAST(epoch_ms(CAST("@timestamp" AS TIMESTAMPTZ)) // 86400000 AS BIGINT) AS d, count(*) AS n, sum(records) AS r
      FROM read_ndjson($path, columns={'@timestamp': 'VARCHAR', 'user': 'STRUCT(name VARCHAR)', 'records': 'BIGINT'}) GROUP BY ALL)`, { path: file });
    extra = { groups: reader.getRowObjectsJS()[0]?.groups };
    con.closeSync();
    instance.closeSync();
  } else if (kind === 'node') {
    const perDay = new Map<string, number>();
    let lines = 0;
    const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const line of rl) {
      const e = JSON.parse(line) as { '@timestamp': string; user: { name: string } };
      const key = `${e.user.name}|${e['@timestamp'].slice(0, 10)}`;
      perDay.set(key, (perDay.get(key) ?? 0) + 1);
      lines++;
    }
    extra = { lines, groups: perDay.size };
  }
  const seconds = (performance.now() - started) / 1000;
  // CPU time of the process (DuckDB's threads included) from its start: on a shared machine the
  // wall time stretches with the other work, the CPU time much less.
  const usage = process.resourceUsage();
  const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
  process.stdout.write(`${JSON.stringify({ seconds, cpuSeconds, maxRssMb: usage.maxRSS / 1024, extra })}\n`);
}

function measure(kind: string, file: string): Measure {
  // The full scans run as `rempart forensics scan` does: the compiled engine in plain Node.
  if (kind === 'scan' || kind === 'csvscan' || kind === 'csvscan-node') return runChild<Measure>(SCAN_CHILD, [kind, file], { timeoutMs: TIMEOUT_MS, maxBufferMb: 256, plain: true });
  return runChild<Measure>(SELF, [kind, file], { timeoutMs: TIMEOUT_MS, maxBufferMb: 256 });
}

/** The same events as a French vendor export: Windows-1252, `;`, local date and time, French labels. */
async function vendorCsv(ndjson: string): Promise<string> {
  const out = ndjson.replace(/\.ndjson$/, '.vendor.csv');
  if (existsSync(out)) return out;
  const labels: Record<string, string> = { login: 'Connexion', logout: 'Déconnexion', view: 'Consultation', search: 'Recherche', create: 'Création', update: 'Modification', export: 'Export', admin: 'Administration', print: 'Impression' };
  const stream = createWriteStream(`${out}.part`);
  stream.write(iconv.encode('Date;Heure;Utilisateur;Adresse IP;Pays;Action;Résultat;Module;Nb enregistrements;Navigateur\r\n', 'windows-1252'));
  let batch: string[] = [];
  for await (const line of createInterface({ input: createReadStream(ndjson), crlfDelay: Infinity })) {
    const e = JSON.parse(line) as { '@timestamp': string; user: { name: string }; source: { ip: string; geo: { country_iso_code: string } }; user_agent: { original: string }; event: { action: string; outcome: string }; app: { module: string }; records: number };
    const local = DateTime.fromISO(e['@timestamp'], { zone: 'Europe/Paris' });
    const action = e.event.action === 'login' && e.event.outcome === 'failure' ? 'Echec connexion' : labels[e.event.action] ?? e.event.action;
    batch.push([local.toFormat('dd/MM/yyyy'), local.toFormat('HH:mm:ss'), e.user.name, e.source.ip, e.source.geo.country_iso_code, action, e.event.outcome === 'success' ? 'OK' : 'KO', e.app.module, e.records, `"${e.user_agent.original}"`].join(';'));
    if (batch.length >= 5000) {
      if (!stream.write(iconv.encode(`${batch.join('\r\n')}\r\n`, 'windows-1252'))) await once(stream, 'drain');
      batch = [];
    }
  }
  stream.end(iconv.encode(`${batch.join('\r\n')}\r\n`, 'windows-1252'));
  await once(stream, 'finish');
  renameSync(`${out}.part`, out);
  return out;
}

interface SizeResult {
  target: number;
  events: number;
  mb: number;
  scan: Measure;
  duckdb: Measure;
  node: Measure;
  csv?: Measure & { mb: number };
  csvNode?: Measure;
  load: number;
  loadEnd: number;
  recallTopN: number;
  recallTop10: number;
  compromised: number;
  falseHighCritical: string[];
}

async function dataset(size: number): Promise<{ file: string; truth: GeneratedTruth }> {
  mkdirSync(DATA, { recursive: true });
  const file = join(DATA, `events-${size}.ndjson`);
  const truthFile = `${file}.truth.json`;
  if (existsSync(file) && existsSync(truthFile)) return { file, truth: JSON.parse(readFileSync(truthFile, 'utf8')) as GeneratedTruth };
  const started = performance.now();
  const truth = await generate({ events: size, out: file, seed: 42 });
  writeFileSync(truthFile, JSON.stringify(truth));
  process.stderr.write(`  generated ${truth.events} events in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return { file, truth };
}

function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function writeResults(results: SizeResult[]): string {
  const lines: string[] = [];
  lines.push('## Forensics (`npm run bench:forensics`)');
  lines.push('');
  lines.push(`Machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${fmt(totalmem() / 2 ** 30, 0)} GiB RAM, Node ${process.version}; run on ${new Date().toISOString().slice(0, 10)}.`);
  lines.push('Data: generated year, 300 agents, 7 compromised accounts (spraying, scripted theft, impossible travel, night access to OTV, admin creating a back door + the back door, insider export) and baits (service account exporting every 15 min, 30 night-shift agents, newcomers, returns from leave, an office moving network, supervisors\' monthly statistics). Canonical NDJSON, nested keys.');
  lines.push('');
  lines.push('| events | file MB | full scan s | events/s | MB/s | peak RSS MB | DuckDB agg s | DuckDB RSS MB | Node loop s | Node RSS MB | scan ÷ DuckDB | scan ÷ Node | s per M events | scan CPU s | DuckDB CPU s | CPU scan ÷ DuckDB | load avg (start → end) |');
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    lines.push(`| ${r.events.toLocaleString('en-GB')} | ${fmt(r.mb, 0)} | ${fmt(r.scan.seconds)} | ${Math.round(r.events / r.scan.seconds).toLocaleString('en-GB')} | ${fmt(r.mb / r.scan.seconds, 0)} | ${fmt(r.scan.maxRssMb, 0)} | ${fmt(r.duckdb.seconds)} | ${fmt(r.duckdb.maxRssMb, 0)} | ${fmt(r.node.seconds)} | ${fmt(r.node.maxRssMb, 0)} | ${fmt(r.scan.seconds / r.duckdb.seconds, 2)} | ${fmt(r.scan.seconds / r.node.seconds, 2)} | ${fmt(r.scan.seconds / (r.events / 1e6), 2)} | ${fmt(r.scan.cpuSeconds)} | ${fmt(r.duckdb.cpuSeconds)} | ${fmt(r.scan.cpuSeconds / r.duckdb.cpuSeconds, 2)} | ${fmt(r.load, 1)} → ${fmt(r.loadEnd, 1)} |`);
  }
  lines.push('');
  const csvRows = results.filter((r) => r.csv);
  if (csvRows.length > 0) {
    lines.push('Same events as a French vendor export (Windows-1252, `;`, local date and time in two columns, French labels) read through `packages/forensics/mappings/editeur-fr.yml`: by DuckDB `read_csv` after a streaming transcode to UTF-8 (`load-csv.ts`, the default), and, as the same-run reference, by the Node reader (`@rempart/ingest` row by row, `forceNodeReader`). Ratios are to the canonical NDJSON full scan of the same events in the same run:');
    lines.push('');
    lines.push('| events | CSV MB | reader | full scan s | CPU s | events/s | peak RSS MB | ÷ NDJSON scan (wall) | ÷ NDJSON scan (CPU) |');
    lines.push('|---:|---:|---|---:|---:|---:|---:|---:|---:|');
    for (const r of csvRows) {
      const c = r.csv as Measure & { mb: number };
      const readers: [string, Measure][] = [[`DuckDB read_csv${c.extra?.path === 'duckdb' ? '' : ` (fell back: ${String(c.extra?.fallback)})`}`, c]];
      if (r.csvNode) readers.push(['Node (@rempart/ingest)', r.csvNode]);
      for (const [label, m] of readers) {
        lines.push(`| ${r.events.toLocaleString('en-GB')} | ${fmt(c.mb, 0)} | ${label} | ${fmt(m.seconds)} | ${fmt(m.cpuSeconds)} | ${Math.round(r.events / m.seconds).toLocaleString('en-GB')} | ${fmt(m.maxRssMb, 0)} | ${fmt(m.seconds / r.scan.seconds, 2)} | ${fmt(m.cpuSeconds / r.scan.cpuSeconds, 2)} |`);
      }
    }
    lines.push('');
  }
  lines.push('| events | compromised in top 7 | in top 10 | false high/critical accounts |');
  lines.push('|---:|---:|---:|---|');
  for (const r of results) lines.push(`| ${r.events.toLocaleString('en-GB')} | ${r.recallTopN}/${r.compromised} | ${r.recallTop10}/${r.compromised} | ${r.falseHighCritical.length}${r.falseHighCritical.length > 0 ? ` (${r.falseHighCritical.join(', ')})` : ''} |`);
  lines.push('');
  lines.push('Full scan = import of the compiled engine (`packages/forensics/dist`, in plain Node, as `rempart forensics scan` runs it) + one read of the file by DuckDB that groups the events by distinct value combination (account, address, country, client, action, outcome, module, records) with the list of their times, in memory (an on-disk temporary database only past about 8 GB of NDJSON; 2 threads) + the default rule pack + evidence + the three output files. `REMPART_FORENSICS_TIMINGS=1` prints the time and CPU time of each phase on stderr. DuckDB agg = `read_ndjson` of the two needed columns grouped by account and day. Node loop = `readline` + `JSON.parse` + a per-account, per-day count. Each in its own process, timed from before its own module imports (the NDJSON and CSV scans run the compiled engine in plain Node; the DuckDB and Node references run under tsx, loaded before their timer starts); peak RSS is that process\'s `maxRSS`; CPU s is its user + system CPU time (DuckDB\'s threads included), steadier than wall time on a shared machine. The 2 cores are shared with other work (other agents building and testing): "load avg" is the 1-minute load when the size started and after its full scan; with a load well above 2 every timing stretches, not always by the same factor for the scan and the references, so ratios from a loaded run vary by ±30 % or more from run to run.');
  const section = lines.join('\n');
  writeSection('forensics', section);
  return section;
}

async function main(): Promise<void> {
  const sizes = (process.env.BENCH_SIZES ?? '1000000,5000000,20000000').split(',').map((s) => Number(s.trim())).filter((n) => Number.isFinite(n) && n > 0);
  const results: SizeResult[] = [];
  // The scan measures the compiled engine: built now if a source changed since the last build.
  if (!isFresh()) await build();
  for (const size of sizes) {
    process.stderr.write(`forensics bench: ${size.toLocaleString('en-GB')} events\n`);
    const { file, truth } = await dataset(size);
    const mb = statSync(file).size / 1e6;
    const load = loadavg()[0] ?? 0;
    const duckdb = measure('duckdb', file);
    process.stderr.write(`  duckdb aggregation ${duckdb.seconds.toFixed(2)} s\n`);
    const node = measure('node', file);
    process.stderr.write(`  node loop ${node.seconds.toFixed(2)} s\n`);
    const scan = measure('scan', file);
    process.stderr.write(`  full scan ${scan.seconds.toFixed(2)} s, peak RSS ${scan.maxRssMb.toFixed(0)} MB\n`);
    const loadEnd = loadavg()[0] ?? 0;
    rmSync(`${file}.out`, { recursive: true, force: true });
    let csv: SizeResult['csv'];
    let csvNode: SizeResult['csvNode'];
    if (size <= Number(process.env.BENCH_CSV_MAX ?? 1_000_000)) {
      const csvFile = await vendorCsv(file);
      const m = measure('csvscan', csvFile);
      csv = { ...m, mb: statSync(csvFile).size / 1e6 };
      process.stderr.write(`  vendor CSV scan (DuckDB read_csv) ${m.seconds.toFixed(2)} s, CPU ${m.cpuSeconds.toFixed(2)} s, peak RSS ${m.maxRssMb.toFixed(0)} MB\n`);
      if (process.env.BENCH_CSV_NODE !== '0') {
        csvNode = measure('csvscan-node', csvFile);
        process.stderr.write(`  vendor CSV scan (Node reader) ${csvNode.seconds.toFixed(2)} s, CPU ${csvNode.cpuSeconds.toFixed(2)} s\n`);
      }
    }
    const ranking = (scan.extra?.ranking ?? []) as { account: string; severity: string }[];
    const n = truth.compromised.length;
    const topN = new Set(ranking.slice(0, n).map((r) => r.account));
    const top10 = new Set(ranking.slice(0, 10).map((r) => r.account));
    results.push({
      target: size, events: truth.events, mb, scan, duckdb, node, csv, csvNode, load, loadEnd, compromised: n,
      recallTopN: truth.compromised.filter((a) => topN.has(a)).length,
      recallTop10: truth.compromised.filter((a) => top10.has(a)).length,
      falseHighCritical: ranking.filter((r) => (r.severity === 'high' || r.severity === 'critical') && !truth.compromised.includes(r.account)).map((r) => r.account),
    });
    writeResults(results);
  }
  process.stdout.write(`${writeResults(results)}\n`);
  if (process.env.BENCH_KEEP_DATA !== '1') process.stderr.write(`(data kept in ${DATA} for the next run; delete it to free the disk)\n`);
}

if (process.argv[2] === '--child') await child(process.argv[3] as string, process.argv[4] as string);
else await main();
