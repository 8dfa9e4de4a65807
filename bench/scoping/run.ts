// npm run bench:scoping — accuracy (pairwise, B-cubed, person count) against an exact-name baseline
// computed in the same run, and speed (rows/s, peak RSS) on French synthetic data and the public sets.
// BENCH_SIZES=50000,1000000 limits the synthetic sizes; BENCH_PUBLIC=0 skips the public sets.
// Writes the `scoping` section of bench/RESULTS.md; sizes and sets not run keep their last row
// (bench/scoping-results.json).
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { resolvePersons, type PersonInput, normText } from '../../packages/scoping/src/index.ts';
import { evaluate, type Scores } from './metrics.ts';
import { ER, PUBLIC_SETS, publicSet } from './public.ts';
import { keyOf, merge, readStore, renderSection, shown, writeStore, type Measurement } from './results.ts';
import { peakRssMb, resetPeak, ROOT, writeSection } from '../lib.ts';

// Peak RSS is the kernel's high-water mark for the process (VmHWM), reset just before the
// resolution: a timer cannot sample while the synchronous resolution runs, and a size run earlier in
// the same process must not lend its peak to the next. It includes the normalised input held in
// memory (the generator runs in a child process).
const fmt = (s: Scores) => `P ${s.pairwise.precision.toFixed(3)} R ${s.pairwise.recall.toFixed(3)} F1 ${s.pairwise.f1.toFixed(3)} | B³ P ${s.bcubed.precision.toFixed(3)} R ${s.bcubed.recall.toFixed(3)} F1 ${s.bcubed.f1.toFixed(3)} | ${s.persons} personnes / ${s.truePersons} (${(s.countError * 100).toFixed(1)} %)`;
const load1 = () => Number(loadavg()[0]!.toFixed(2));
// The commit measured; `+changes` when the working tree differs from it.
const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
const commit = `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? '+changes' : ''}`;
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`;
const measured: Measurement[] = [];

function exactName(people: PersonInput[]): string[] {
  return people.map((p) => `${normText(p.last_name)}|${normText(p.first_name)}`);
}

function run(dataset: string, name: string, people: PersonInput[], truth: ArrayLike<string | number>): void {
  global.gc?.();
  const before = Math.round(process.memoryUsage().rss / 1048576);
  const loadStart = load1();
  resetPeak();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = resolvePersons(people, process.env.BENCH_THRESHOLD ? { threshold: Number(process.env.BENCH_THRESHOLD) } : {});
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const peak = peakRssMb();
  const loadEnd = load1();
  const score = evaluate(r.clusterOf, truth);
  const base = evaluate(exactName(people), truth);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(`\n## ${name} — ${people.length.toLocaleString('en')} lignes`);
  console.log(`rempart   : ${fmt(score)}`);
  console.log(`nom exact : ${fmt(base)}`);
  console.log(`résolution : ${s.toFixed(1)} s (CPU ${cpuSeconds.toFixed(1)} s), ${Math.round(people.length / s).toLocaleString('en')} lignes/s, RSS ${before} Mo avant, max ${Math.round(peak)} Mo, ${r.parameters.pairsCompared.toLocaleString('en')} paires comparées, fourchette [${r.clustersLoose}, ${r.clustersStrict}], charge ${loadStart} → ${loadEnd}`);
  measured.push({
    dataset, rows: people.length, at: new Date().toISOString(), commit, machine, loadStart, loadEnd, wallSeconds: s, cpuSeconds, peakRssMb: peak,
    pairsCompared: r.parameters.pairsCompared, rempart: shown(score), exactName: shown(base),
  });
}

const runStart = { at: new Date().toISOString(), load: load1() };
const sizes = (process.env.BENCH_SIZES ?? '50000,1000000').split(',').map(Number).filter((n) => n > 0);
const tmp = mkdtempSync(join(tmpdir(), 'rempart-bench-'));
try {
  for (const n of sizes) {
    // Generated and normalised in a child process (generate.ts), read back here with each distinct
    // value held once: the input costs what the engine's would, not the generator's objects.
    const file = join(tmp, `synthetic-${n}.ndjson`);
    execFileSync(process.execPath, [...process.execArgv, fileURLToPath(new URL('./generate.ts', import.meta.url)), String(n), '42', file], { stdio: 'inherit' });
    const intern = new Map<string, string>();
    const v = (s: string | null) => (s === null ? undefined : intern.get(s) ?? (intern.set(s, s), s));
    const people: PersonInput[] = [];
    const truth = new Int32Array(n);
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      const [t, last, first, birth, phone, email, address, postcode] = JSON.parse(line) as [number, ...(string | null)[]];
      truth[people.length] = t;
      people.push({ last_name: v(last!), first_name: v(first!), birth_date: v(birth!), phone: v(phone!), email: v(email!), address: v(address!), postcode: v(postcode!) });
    }
    intern.clear();
    rmSync(file);
    run('synthetic-fr', `Synthétique français (graine 42)`, people, truth);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

if (process.env.BENCH_PUBLIC !== '0') {
  for (const which of Object.keys(PUBLIC_SETS)) {
    if (!existsSync(`${ER}/${PUBLIC_SETS[which]}`)) continue;
    const set = publicSet(which, (f) => parse(readFileSync(f), { columns: true, trim: true }) as Record<string, string>[]);
    run(set.name, set.name, set.people, set.truth);
  }
}

// Results are written by the benchmark itself (house rule): this run's rows replace theirs, the
// sizes and sets it did not run keep their last row and its date.
if (process.env.BENCH_THRESHOLD) {
  // A threshold other than the default is an exploration: the table keeps the default's figures.
  console.log('\nBENCH_THRESHOLD donné : résultats affichés seulement, bench/RESULTS.md inchangé');
} else {
  const rows = merge(readStore(), measured);
  writeStore(rows);
  const command = `${[process.env.BENCH_SIZES ? `BENCH_SIZES=${process.env.BENCH_SIZES}` : '', process.env.BENCH_PUBLIC === '0' ? 'BENCH_PUBLIC=0' : ''].filter(Boolean).join(' ')} npm run bench:scoping`.trim();
  writeSection('scoping', renderSection(rows, { at: runStart.at, commit, machine, loadStart: runStart.load, loadEnd: load1(), command, current: new Set(measured.map(keyOf)) }));
  console.log(`\n${measured.length} mesure(s) écrite(s) dans bench/RESULTS.md et bench/scoping-results.json`);
}
