// npm run bench:scoping — accuracy (pairwise, B-cubed, person count) against an exact-name baseline
// computed in the same run, and speed (rows/s, peak RSS) on French synthetic data and the public sets.
// BENCH_SIZES=50000,1000000 limits the synthetic sizes; BENCH_PUBLIC=0 skips the public sets.
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { resolvePersons, type PersonInput, normText } from '../../packages/scoping/src/index.ts';
import { evaluate, type Scores } from './metrics.ts';
import { ER, PUBLIC_SETS, publicSet } from './public.ts';

// Peak RSS is the kernel's high-water mark for the whole process (getrusage): a timer cannot sample
// while the synchronous resolution runs. It includes the normalised input held in memory (the
// generator runs in a child process).
const mb = (b: number) => Math.round(b / 1048576);
const peakRss = () => process.resourceUsage().maxRSS * 1024;
const fmt = (s: Scores) => `P ${s.pairwise.precision.toFixed(3)} R ${s.pairwise.recall.toFixed(3)} F1 ${s.pairwise.f1.toFixed(3)} | B³ P ${s.bcubed.precision.toFixed(3)} R ${s.bcubed.recall.toFixed(3)} F1 ${s.bcubed.f1.toFixed(3)} | ${s.persons} personnes / ${s.truePersons} (${(s.countError * 100).toFixed(1)} %)`;

function exactName(people: PersonInput[]): string[] {
  return people.map((p) => `${normText(p.last_name)}|${normText(p.first_name)}`);
}

function run(name: string, people: PersonInput[], truth: ArrayLike<string | number>): void {
  global.gc?.();
  const before = mb(process.memoryUsage().rss);
  const load = loadavg()[0]!.toFixed(1);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = resolvePersons(people, process.env.BENCH_THRESHOLD ? { threshold: Number(process.env.BENCH_THRESHOLD) } : {});
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const peak = peakRss();
  const score = evaluate(r.clusterOf, truth);
  const base = evaluate(exactName(people), truth);
  console.log(`\n## ${name} — ${people.length.toLocaleString('en')} lignes`);
  console.log(`rempart   : ${fmt(score)}`);
  console.log(`nom exact : ${fmt(base)}`);
  console.log(`résolution : ${s.toFixed(1)} s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s), ${Math.round(people.length / s).toLocaleString('en')} lignes/s, RSS ${before} Mo avant, max ${mb(peak)} Mo (processus), ${r.parameters.pairsCompared.toLocaleString('en')} paires comparées, fourchette [${r.clustersLoose}, ${r.clustersStrict}], charge ${load}`);
}

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
    run(`Synthétique français (graine 42)`, people, truth);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

if (process.env.BENCH_PUBLIC !== '0') {
  for (const which of Object.keys(PUBLIC_SETS)) {
    if (!existsSync(`${ER}/${PUBLIC_SETS[which]}`)) continue;
    const set = publicSet(which, (f) => parse(readFileSync(f), { columns: true, trim: true }) as Record<string, string>[]);
    run(set.name, set.people, set.truth);
  }
}
