// Child process of run.ts: generates the French synthetic extract and writes it normalised as the
// engine would (one JSON array per line: truth, then the PersonInput fields), so that the bench
// process never holds the generator's rows and its peak RSS is the resolution's, input included.
import { createWriteStream } from 'node:fs';
import { generateSynthetic, phoneKey, birthDateKey, emailKey, addressKey, postcodeKey } from '../../packages/scoping/src/index.ts';
import { createDateParser } from '@rempart/ingest';

const [n, seed, out] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]!];
const TODAY = '2026-01-01';
const day = createDateParser({ kind: 'date', formats: ['dd/MM/yyyy', 'yyyy-MM-dd', 'd/M/yy'] });
const file = createWriteStream(out);
let buf = '';
for (const { truth, values: v } of generateSynthetic(n, seed)) {
  const b = v['Date de naissance'] ? day(v['Date de naissance']) : null;
  buf += `${JSON.stringify([truth, v.Nom || null, v['Prénom'] || null, b?.ok ? birthDateKey(String(b.value), TODAY) : null, phoneKey(v['Téléphone'])?.e164 ?? null, emailKey(v.Courriel) || null, addressKey(v.Adresse) || null, postcodeKey(v['Code postal']) || null])}\n`;
  if (buf.length > 1 << 20) { if (!file.write(buf)) await new Promise<void>((r) => file.once('drain', () => r())); buf = ''; }
}
file.end(buf);
await new Promise<void>((r) => file.once('finish', () => r()));
