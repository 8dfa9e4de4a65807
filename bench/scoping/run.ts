// npm run bench:scoping — accuracy (pairwise, B-cubed, person count) against an exact-name baseline
// computed in the same run, and speed (rows/s, peak RSS) on French synthetic data and the public sets.
// BENCH_SIZES=50000,1000000 limits the synthetic sizes; BENCH_PUBLIC=0 skips the public sets.
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parse } from 'csv-parse/sync';
import { generateSynthetic, resolvePersons, type PersonInput, normText, phoneKey, birthDateKey, emailKey, addressKey, postcodeKey } from '../../packages/scoping/src/index.ts';
import { createDateParser } from '@rempart/ingest';
import { evaluate, type Scores } from './metrics.ts';

const ER = '/work/shared/data/er';
// Peak RSS is the kernel's high-water mark for the whole process (getrusage): a timer cannot sample
// while the synchronous resolution runs. It includes the generated input held in memory.
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

const TODAY = '2026-01-01';
const day = createDateParser({ kind: 'date', formats: ['dd/MM/yyyy', 'yyyy-MM-dd', 'd/M/yy'] });
const sizes = (process.env.BENCH_SIZES ?? '50000,1000000').split(',').map(Number).filter((n) => n > 0);
for (const n of sizes) {
  let rows: ReturnType<typeof generateSynthetic> | null = generateSynthetic(n, 42);
  // Same normalisation as the engine (engine.ts), without the file reading.
  const people = rows.map(({ values: v }) => {
    const b = v['Date de naissance'] ? day(v['Date de naissance']) : null;
    return { last_name: v.Nom, first_name: v['Prénom'], birth_date: b?.ok ? birthDateKey(String(b.value), TODAY) ?? undefined : undefined, phone: phoneKey(v['Téléphone'])?.e164, email: emailKey(v.Courriel) || undefined, address: addressKey(v.Adresse) || undefined, postcode: postcodeKey(v['Code postal']) || undefined };
  });
  const truth = Int32Array.from(rows, (r) => r.truth);
  rows = null;
  run(`Synthétique français (graine 42)`, people, truth);
}

if (process.env.BENCH_PUBLIC !== '0' && existsSync(`${ER}/historical_50k.csv`)) {
  const rows = parse(readFileSync(`${ER}/historical_50k.csv`), { columns: true }) as Record<string, string>[];
  run('historical_50k', rows.map((x) => ({ last_name: x.surname, first_name: x.first_name, birth_date: /^\d{4}-\d\d-\d\d$/.test(x.dob ?? '') ? x.dob : undefined, postcode: x.postcode_fake?.replace(/\s/g, '').toUpperCase() || undefined, address: normText(x.birth_place) || undefined })), rows.map((x) => x.cluster!));
  for (const f of ['febrl_dataset2.csv', 'febrl_dataset3.csv']) {
    if (!existsSync(`${ER}/${f}`)) continue;
    const fr = parse(readFileSync(`${ER}/${f}`), { columns: true, trim: true }) as Record<string, string>[];
    const dob = (d: string | undefined) => (d && /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : undefined);
    run(f, fr.map((x) => ({ last_name: x.surname, first_name: x.given_name, birth_date: dob(x.date_of_birth), phone: x.phone_number?.replace(/\s/g, '') || undefined, address: normText(`${x.street_number} ${x.address_1}`) || undefined, postcode: x.postcode || undefined })), fr.map((x) => (x.rec_id ?? '').replace(/-(org|dup-\d+)$/, '')));
  }
}
