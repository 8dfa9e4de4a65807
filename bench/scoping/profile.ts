// Helper for profiling and regression checks of resolvePersons alone:
// PROFILE_N=200000 node --cpu-prof --import tsx bench/scoping/profile.ts
// Prints timings and a hash of clusterOf + review, so that an engine change can be checked to give
// byte-identical output on the same input.
import { createHash } from 'node:crypto';
import { generateSynthetic, resolvePersons, phoneKey, birthDateKey, emailKey, addressKey, postcodeKey } from '../../packages/scoping/src/index.ts';
import { createDateParser } from '@rempart/ingest';

const n = Number(process.env.PROFILE_N ?? 200000);
const day = createDateParser({ kind: 'date', formats: ['dd/MM/yyyy', 'yyyy-MM-dd', 'd/M/yy'] });
const people = generateSynthetic(n, 42).map(({ values: v }) => {
  const b = v['Date de naissance'] ? day(v['Date de naissance']) : null;
  return { last_name: v.Nom, first_name: v['Prénom'], birth_date: b?.ok ? birthDateKey(String(b.value), '2026-01-01') ?? undefined : undefined, phone: phoneKey(v['Téléphone'])?.e164, email: emailKey(v.Courriel) || undefined, address: addressKey(v.Adresse) || undefined, postcode: postcodeKey(v['Code postal']) || undefined };
});
const c0 = process.cpuUsage();
const t0 = performance.now();
let last = t0;
const r = resolvePersons(people, { onProgress: (stage, done, total) => { if (done === total || done === 0) { const t = performance.now(); console.log(`${stage} ${done}/${total} +${((t - last) / 1000).toFixed(2)} s`); last = t; } } });
const s = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(c0);
const hash = createHash('sha256').update(Buffer.from(r.clusterOf.buffer));
for (const x of r.review) hash.update(JSON.stringify(x));
const h = hash.update(JSON.stringify([r.clusters, r.clustersStrict, r.clustersLoose, r.parameters])).digest('hex').slice(0, 16);
console.log(`n ${n} wall ${s.toFixed(1)} s CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s pairs ${r.parameters.pairsCompared} clusters ${r.clusters} review ${r.review.length} maxRSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB hash ${h}`);
