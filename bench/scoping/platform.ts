// Scoping results in the platform at scale: a run on a generated extract through the service (the
// 'scoping.run' job, as the server runs it), then reads of the persons list and of one person through
// the HTTP routes. Peak RSS per phase from /proc/self/status (VmHWM, reset between phases by writing 5
// to /proc/self/clear_refs), after a GC.
//   node --expose-gc --import tsx bench/scoping/platform.ts [rows=200000]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testBackends } from '@rempart/db';
import { generateSynthetic, syntheticCsv, SYNTHETIC_MAPPING } from '../../packages/scoping/src/index.ts';
import { createWorld, signIn } from '../../apps/server/src/testing.ts';
import { importDataset } from '../../apps/server/src/modules/datasets/service.ts';

if (process.argv[2] === '--generate') {
  // Child process: the generator's rows never weigh on the measured process.
  writeFileSync(process.argv[5]!, syntheticCsv(generateSynthetic(Number(process.argv[3]), Number(process.argv[4]))));
  process.exit(0);
}

const rows = Number(process.argv[2] ?? 200_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const status = () => readFileSync('/proc/self/status', 'utf8');
const FIELDS = { VmRSS: /VmRSS:\s+(\d+)/, VmHWM: /VmHWM:\s+(\d+)/ };
const mb = (field: keyof typeof FIELDS) => Math.round(Number(FIELDS[field].exec(status())![1]) / 1024);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
async function phase<T>(name: string, work: () => Promise<T>): Promise<T> {
  gc!();
  writeFileSync('/proc/self/clear_refs', '5');
  const before = mb('VmRSS');
  const t0 = performance.now();
  // CPU time too: on the shared machine it moves less with the load than the wall clock.
  const cpu0 = process.cpuUsage();
  const value = await work();
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(`${name}: ${s.toFixed(2)} s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s), RSS at start ${before} MB, peak ${mb('VmHWM')} MB (+${mb('VmHWM') - before} MB), load ${load()}`);
  return value;
}

const dir = mkdtempSync(path.join(tmpdir(), 'bench-scoping-platform-'));
try {
  const file = path.join(dir, 'extract.csv');
  execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--generate', String(rows), '42', file], { stdio: 'inherit' });
  const world = await createWorld(testBackends()[0]!, { maxUploadMb: 1024 });
  const dpo = await signIn(world, world.users.dpo);
  const incident = await dpo.request('POST', `/api/v1/organisations/${world.orgA}/incidents`, { type: 'exfiltration', title: 'Bench', awareAt: new Date().toISOString(), personalData: { involved: true, categories: ['identité'] } });
  const base = `/api/v1/organisations/${world.orgA}/incidents/${incident.json().id}`;
  const data = readFileSync(file);
  console.log(`${rows} rows, ${(data.length / 1e6).toFixed(1)} MB of CSV; node ${process.version}`);
  const user = await world.services.db.selectFrom('users').select(['id', 'name', 'email']).where('id', '=', world.users.dpo.id).executeTakeFirstOrThrow();
  const ds = await importDataset(world.services, { organisationId: world.orgA, incidentId: incident.json().id, name: 'extract.csv', data, retentionDays: 30, actor: user, ip: '127.0.0.1' });
  if ((await dpo.request('PUT', `${base}/datasets/${ds.id}/mapping`, { mapping: SYNTHETIC_MAPPING })).statusCode !== 200) throw new Error('mapping refused');
  const started = await dpo.request('POST', `${base}/datasets/${ds.id}/runs`, { notificationDate: '2026-11-28' });
  const runId = started.json().id as string;
  await phase('run (job: read, resolve, seal, store)', () => world.app.jobs.drain());
  const run = (await dpo.request('GET', `${base}/scoping/runs/${runId}`)).json();
  if (run.status !== 'done') throw new Error(`run ${run.status}: ${run.error}`);
  console.log(`${run.figures.persons} persons, ${run.figures.review_pairs} review pairs`);
  const get = async (url: string) => { const r = await dpo.request('GET', url); if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body}`); return r.json(); };
  for (let i = 1; i <= 3; i++) await phase(`persons page 1 (#${i})`, () => get(`${base}/scoping/runs/${runId}/persons?page=1`));
  await phase('persons page 1000', () => get(`${base}/scoping/runs/${runId}/persons?page=1000`));
  await phase('persons page 1, filter risk=burglary', () => get(`${base}/scoping/runs/${runId}/persons?page=1&risk=burglary`));
  await phase('reveal one person', () => get(`${base}/scoping/runs/${runId}/persons/P000100`));
  await phase('persons page 1, filter risk=phishing & module=otv', () => get(`${base}/scoping/runs/${runId}/persons?page=1&risk=phishing&module=otv`));
  await phase('persons page 100, filter risk=burglary', () => get(`${base}/scoping/runs/${runId}/persons?page=100&risk=burglary`));
  const review = await phase('review page 1', () => get(`${base}/scoping/runs/${runId}/review?page=1`));
  const pair = (review as { pairs: { a: string; b: string }[] }).pairs[0]!;
  await phase('record a decision (checks both rows are results)', async () => {
    const r = await dpo.request('POST', `${base}/scoping/runs/${runId}/decisions`, { a: pair.a, b: pair.b, same: true });
    if (r.statusCode >= 300) throw new Error(`decision: ${r.statusCode} ${r.body}`);
  });
  await world.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
