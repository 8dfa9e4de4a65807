// `npm run bench:evidence` — a ~1 GB generated log export (the forensics bench's deterministic year,
// canonical NDJSON) uploaded as evidence through the real HTTP route (curl, multipart), downloaded
// back, then scanned as a job through the scan route; peak RSS of the server process for each step.
// References from the same run: a plain hash-and-copy of the file (what any upload must at least do)
// and the engine scanning the plain file directly (what the scan route adds to). With
// BENCH_BEFORE_TREE=<a checkout of an older commit, node_modules linked>, the same steps run against
// that tree's server too, for a before/after. Each measurement runs in its own process.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { generate } from '../forensics/generate.ts';
import { loadNow, ROOT, peakRssMb, resetPeak, runChild, writeSection } from '../lib.ts';

const SELF = fileURLToPath(import.meta.url);
const DATA = process.env.BENCH_DATA_DIR ?? join(tmpdir(), 'rempart-bench-evidence');
// The generator's `events` is its size knob (about one log line each above a floor): 3,000,000 gives a file of about 1 GB.
const EVENTS = Number(process.env.BENCH_EVIDENCE_EVENTS ?? 3_000_000);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 30 * 60_000);

const rssMb = () => process.memoryUsage.rss() / 1_048_576;

function curl(args: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn('curl', ['-sS', '-w', '\n%{http_code}', ...args]);
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`curl ${code}: ${err}`));
      const cut = out.lastIndexOf('\n');
      resolve({ status: Number(out.slice(cut + 1)), body: out.slice(0, cut) });
    });
  });
}

interface Step { seconds: number; peakRssMb: number }

async function platformChild(tree: string, file: string): Promise<void> {
  const { testBackends } = await import('@rempart/db');
  const { createWorld, signIn } = await import(join(tree, 'apps/server/src/testing.ts'));
  const backend = testBackends().find((b: { name: string }) => b.name === 'pglite')!;
  const world = await createWorld(backend, { maxUploadMb: 2048, maxEvidenceMb: 4096 });
  const address = await world.app.listen({ port: 0, host: '127.0.0.1' });
  const rssi = await signIn(world, world.users.rssi);
  const incident = await rssi.request('POST', `/api/v1/organisations/${world.orgA}/incidents`, {
    type: 'compromission_compte', title: 'Banc d’essai', awareAt: new Date().toISOString(), personalData: { involved: true, categories: ['identité'] },
  });
  const base = `/api/v1/organisations/${world.orgA}/incidents/${incident.json().id}`;
  const headers = ['-H', `cookie: ${rssi.cookie}`, '-H', `x-csrf-token: ${rssi.csrf}`];
  const baseline = rssMb();
  const steps: Record<string, Step> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    resetPeak();
    const started = performance.now();
    const value = await fn();
    steps[name] = { seconds: (performance.now() - started) / 1000, peakRssMb: peakRssMb() };
    return value;
  };

  const uploaded = await timed('upload', () => curl([...headers, '-F', 'description=banc', '-F', `file=@${file};type=application/x-ndjson`, `${address}${base}/evidence`]));
  if (uploaded.status !== 201) throw new Error(`upload ${uploaded.status}: ${uploaded.body}`);
  const piece = JSON.parse(uploaded.body) as { id: string; size: number; sha256: string };
  const downloaded = await timed('download', () => curl([...headers, '-o', '/dev/null', `${address}${base}/evidence/${piece.id}`]));
  if (downloaded.status !== 200) throw new Error(`download ${downloaded.status}`);
  const scan = await timed('scan', async () => {
    const started = await rssi.request('POST', `${base}/forensics/scans`, { evidenceIds: [piece.id], preset: 'ecs' });
    if (started.statusCode !== 202) throw new Error(`scan ${started.statusCode}: ${started.body}`);
    await world.app.jobs.drain();
    return (await rssi.request('GET', `${base}/forensics/scans/${started.json().id}`)).json();
  });
  if (scan.status !== 'done') throw new Error(`scan ${scan.status}: ${scan.error}`);
  await world.close();
  process.stdout.write(`${JSON.stringify({ baselineRssMb: baseline, size: piece.size, sha256: piece.sha256, steps, linesRead: scan.summary.linesRead, flagged: scan.summary.flagged })}\n`);
}

async function referenceChild(file: string): Promise<void> {
  const steps: Record<string, Step> = {};
  resetPeak();
  let started = performance.now();
  const hash = createHash('sha256');
  const copy = join(DATA, 'copy.tmp');
  await pipeline(createReadStream(file), async function* (source) {
    for await (const chunk of source) {
      hash.update(chunk as Buffer);
      yield chunk;
    }
  }, createWriteStream(copy));
  steps.hashCopy = { seconds: (performance.now() - started) / 1000, peakRssMb: peakRssMb() };
  rmSync(copy);
  resetPeak();
  started = performance.now();
  const { scanFiles } = await import('../../packages/forensics/src/index.ts');
  const result = await scanFiles([file], { workDir: DATA });
  steps.engineScan = { seconds: (performance.now() - started) / 1000, peakRssMb: peakRssMb() };
  process.stdout.write(`${JSON.stringify({ sha256: hash.digest('hex'), steps, linesRead: result.summary.lines_read })}\n`);
}

function measure(args: string[]): Record<string, any> {
  return runChild(SELF, args, { timeoutMs: TIMEOUT_MS });
}

const f1 = (n: number) => n.toFixed(1);
const mb = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    if (args[1] === 'platform') return platformChild(args[2]!, args[3]!);
    return referenceChild(args[2]!);
  }
  mkdirSync(DATA, { recursive: true });
  const file = join(DATA, `logs-${EVENTS}.ndjson`);
  if (!existsSync(file)) await generate({ events: EVENTS, out: file });
  const size = statSync(file).size;
  const loadStart = loadNow();
  const reference = measure(['reference', file]);
  const trees: [string, string][] = [['this tree', ROOT]];
  if (process.env.BENCH_BEFORE_TREE) trees.unshift([`before (${process.env.BENCH_BEFORE_LABEL ?? process.env.BENCH_BEFORE_TREE})`, process.env.BENCH_BEFORE_TREE]);
  const rows: string[] = [];
  for (const [label, tree] of trees) {
    const at = loadNow();
    const r = measure(['platform', tree, file]);
    if (r.sha256 !== reference.sha256) throw new Error(`${label}: the recorded SHA-256 differs from the file's`);
    const s = r.steps;
    rows.push(`| ${label} | ${mb(r.baselineRssMb)} | ${f1(s.upload.seconds)} | ${mb(s.upload.peakRssMb)} | ${(s.upload.seconds / reference.steps.hashCopy.seconds).toFixed(2)} | ${f1(s.download.seconds)} | ${mb(s.download.peakRssMb)} | ${f1(s.scan.seconds)} | ${mb(s.scan.peakRssMb)} | ${(s.scan.seconds / reference.steps.engineScan.seconds).toFixed(2)} | ${r.linesRead.toLocaleString('en-US')} | ${at} → ${loadNow()} |`);
    process.stderr.write(`${label}: ${JSON.stringify(r)}\n`);
  }
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const section = [
    `Command: \`npm run bench:evidence\`${process.env.BENCH_BEFORE_TREE ? ' with `BENCH_BEFORE_TREE` set to a checkout of the previous commit' : ''}; ${date} UTC; ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; load average at start ${loadStart}.`,
    '',
    `File: ${mb(size / 1_048_576)} MB of canonical NDJSON (${reference.linesRead.toLocaleString('en-US')} lines: the forensics bench's generated year, \`events: ${EVENTS}\`). Server in the measuring process (PGlite database included in its RSS), upload and download by \`curl\` in another process, scan through the route and the job queue. Peak RSS is the server process's VmHWM, reset before each step.`,
    '',
    `References, same run, same file: hash-and-copy ${f1(reference.steps.hashCopy.seconds)} s (peak ${mb(reference.steps.hashCopy.peakRssMb)} MB); engine scan of the plain file ${f1(reference.steps.engineScan.seconds)} s (peak ${mb(reference.steps.engineScan.peakRssMb)} MB).`,
    '',
    '| server | RSS at rest MB | upload s | upload peak RSS MB | upload ÷ hash-and-copy | download s | download peak RSS MB | scan s | scan peak RSS MB | scan ÷ engine alone | lines | load (start → end) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
  writeSection('evidence', section, '## Evidence: streamed upload, download and scan of a 1 GB log export');
  process.stdout.write(`${section}\n`);
}

await main();
