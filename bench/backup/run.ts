// `npm run bench:backup` — Rempart's own backup and restore of a data folder holding the demo and a
// 1 GB sealed evidence file (deterministic plaintext, sealed as the upload route does), format 1
// (one JSON document in memory) against format 2 (streamed). Same-run references: `tar | gzip -1` of
// the files folder and its reverse, and a plain `cp -r`. Each measurement runs in its own process;
// peak RSS is that process's VmHWM. A second, smaller file lets format 1 run to the end for comparison.
import { spawnSync } from 'node:child_process';
import { createHash, createCipheriv } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { loadNow, ROOT, peakRssMb, resetPeak, writeSection } from '../lib.ts';

const SELF = fileURLToPath(import.meta.url);
const DATA = process.env.BENCH_DATA_DIR ?? join(tmpdir(), 'rempart-bench-backup');
const SIZES_MB = (process.env.BENCH_BACKUP_SIZES_MB ?? '1024,200').split(',').map(Number);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 30 * 60_000);
const PASSPHRASE = 'phrase de passe du banc de sauvegarde';
// Fixed master key: the bench's data folder, not a secret.
const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

async function services(dataDir: string) {
  const { loadConfig } = await import('../../apps/server/src/config.ts');
  const { createServices } = await import('../../apps/server/src/bootstrap.ts');
  return createServices(loadConfig({ REMPART_DATA_DIR: dataDir, REMPART_MASTER_KEY: MASTER_KEY, REMPART_LOG_LEVEL: 'silent' }));
}

/** Deterministic plaintext (AES-CTR keystream of a fixed key: fast, same bytes every run), sealed like an uploaded piece. */
async function makeDataDir(dir: string, megabytes: number): Promise<void> {
  const s = await services(dir);
  const { seedDemo } = await import('../../apps/server/src/demo/seed.ts');
  const { SealStream } = await import('../../apps/server/src/platform/sealed-stream.ts');
  await seedDemo(s);
  mkdirSync(join(dir, 'files', 'evidence'), { recursive: true });
  const keystream = createCipheriv('aes-256-ctr', Buffer.alloc(32), Buffer.alloc(16));
  const block = Buffer.alloc(1024 * 1024);
  let left = megabytes;
  await pipeline(
    Readable.from((function* () {
      while (left-- > 0) yield keystream.update(block);
    })()),
    new SealStream(Buffer.alloc(32, 9), 'evidence:bench'),
    createWriteStream(join(dir, 'files', 'evidence', 'bench.bin')),
  );
  await s.database.close();
}

async function child(kind: string, args: string[]): Promise<void> {
  const result: Record<string, unknown> = { kind };
  // The database is opened (and, for a restore target, migrated) before the clock and the peak start.
  const s = await services(args[0]!);
  result.rssAtRestMb = process.memoryUsage.rss() / 1_048_576;
  resetPeak();
  const started = performance.now();
  try {
    if (kind === 'backup2') {
      const { writeBackup } = await import('../../apps/server/src/backup/archive.ts');
      const summary = await writeBackup(s.database, join(args[0]!, 'files'), args[1]!, PASSPHRASE, new Date());
      result.files = summary.files;
    } else if (kind === 'backup1') {
      const { collectBackup, sealArchive } = await import('../../apps/server/src/backup/archive-v1.ts');
      let stage = 'in collectBackup (each file read whole, then base64-encoded into one document):';
      try {
        const content = await collectBackup(s.database, join(args[0]!, 'files'), new Date());
        stage = 'in sealArchive (JSON.stringify, gzip and seal of the whole document in memory):';
        writeFileSync(args[1]!, sealArchive(content, PASSPHRASE));
      } catch (error) {
        throw Object.assign(error as Error, { stage });
      }
    } else if (kind === 'restore') {
      const { restoreArchive } = await import('../../apps/server/src/backup/archive.ts');
      const summary = await restoreArchive(s.database, join(args[0]!, 'files'), args[1]!, PASSPHRASE);
      result.files = summary.files;
    }
    result.ok = true;
  } catch (error) {
    result.ok = false;
    result.error = `${(error as { stage?: string }).stage ?? ''} ${(error as Error).message}`.trim().slice(0, 300);
  }
  result.seconds = (performance.now() - started) / 1000;
  result.peakRssMb = peakRssMb();
  await s.database.close().catch(() => undefined);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function measure(kind: string, args: string[]): Record<string, any> {
  const run = spawnSync(process.execPath, ['--import', 'tsx', SELF, '--child', kind, ...args], { cwd: ROOT, encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  const last = run.stdout.trim().split('\n').pop();
  if (!last?.startsWith('{')) return { kind, ok: false, seconds: NaN, peakRssMb: NaN, error: `process ended (${run.status ?? run.signal}): ${run.stderr.trim().split('\n').slice(-3).join(' ').slice(0, 300)}` };
  return JSON.parse(last);
}

function shell(command: string): number {
  const started = performance.now();
  const run = spawnSync('sh', ['-c', command], { timeout: TIMEOUT_MS });
  if (run.status !== 0) throw new Error(`${command}: ${run.stderr?.toString()}`);
  return (performance.now() - started) / 1000;
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '—');
const mb = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1]!, args.slice(2));
  const loadStart = loadNow();
  const rows: string[] = [];
  const notes: string[] = [];
  for (const size of SIZES_MB) {
    const base = join(DATA, `${size}mb`);
    rmSync(base, { recursive: true, force: true });
    const source = join(base, 'source');
    await makeDataDir(source, size);
    const evidence = join(source, 'files', 'evidence', 'bench.bin');
    const evidenceMb = statSync(evidence).size / 1_048_576;
    const expected = await sha256(evidence);

    const at = loadNow();
    const refGzip = shell(`tar -cf - -C ${source} files | gzip -1 > ${join(base, 'ref.tar.gz')}`);
    const refGunzip = shell(`mkdir -p ${join(base, 'ref')} && gzip -dc ${join(base, 'ref.tar.gz')} | tar -xf - -C ${join(base, 'ref')}`);
    const refCopy = shell(`cp -r ${join(source, 'files')} ${join(base, 'copy')}`);
    rmSync(join(base, 'ref'), { recursive: true, force: true });
    rmSync(join(base, 'copy'), { recursive: true, force: true });
    rmSync(join(base, 'ref.tar.gz'), { force: true });

    for (const format of [1, 2]) {
      const archive = join(base, `archive-v${format}.rmpbk`);
      const backup = measure(format === 1 ? 'backup1' : 'backup2', [source, archive]);
      let restore: Record<string, any> | null = null;
      let archiveMb = NaN;
      if (backup.ok && existsSync(archive)) {
        archiveMb = statSync(archive).size / 1_048_576;
        const target = join(base, `restored-v${format}`);
        restore = measure('restore', [target, archive]);
        if (restore.ok && (await sha256(join(target, 'files', 'evidence', 'bench.bin'))) !== expected) throw new Error(`format ${format}: restored evidence differs`);
        rmSync(target, { recursive: true, force: true });
      }
      rmSync(archive, { force: true });
      const cell = (r: Record<string, any> | null) => (r ? `${r.ok ? f1(r.seconds) : `fails after ${f1(r.seconds)}`} | ${mb(r.rssAtRestMb)} → ${mb(r.peakRssMb)}` : 'not run (no archive) | —');
      const ratio = (r: Record<string, any> | null, reference: number) => (r?.ok ? (r.seconds / reference).toFixed(2) : '—');
      rows.push(`| ${mb(evidenceMb)} | ${format} | ${cell(backup)} | ${ratio(backup, refGzip)} | ${f1(archiveMb)} | ${cell(restore)} | ${ratio(restore, refGunzip)} | ${f1(refGzip)} / ${f1(refGunzip)} / ${f1(refCopy)} | ${at} → ${loadNow()} |`);
      if (!backup.ok) notes.push(`- ${mb(evidenceMb)} MB, format ${format} backup: ${backup.error}`);
      if (restore && !restore.ok) notes.push(`- ${mb(evidenceMb)} MB, format ${format} restore: ${restore.error}`);
      process.stderr.write(`${size} MB v${format}: ${JSON.stringify({ backup, restore })}\n`);
    }
    rmSync(base, { recursive: true, force: true });
  }

  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const section = [
    `Command: \`npm run bench:backup\`; ${date} UTC; ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; load average at start ${loadStart}.`,
    '',
    'Data folder: the demo organisation (PGlite) and one evidence file sealed in 64 KiB chunks (deterministic plaintext, so the stored bytes are ciphertext: incompressible). Backup and restore each run in their own process (the code behind `rempart backup` / `restore`, PGlite opened in that process); the clock starts and the peak (VmHWM) is reset once the database is open (and, for a restore, the empty target migrated): “at rest” is the RSS at that point, PGlite’s WebAssembly heap included. References in the same run, on the same files folder: `tar | gzip -1` (what format 1 does to the files: read and compress), `gzip -dc | tar -x` (restore), and `cp -r` (read and write, what format 2 does to sealed files besides sealing them again). The restored evidence file is checked by SHA-256.',
    '',
    '| evidence MB | format | backup s | backup RSS MB (at rest → peak) | backup ÷ tar+gzip | archive MB | restore s | restore RSS MB (at rest → peak) | restore ÷ gunzip+tar | references s (tar+gzip / gunzip+tar / cp) | load (start → end) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
    ...rows,
    ...(notes.length ? ['', 'Where format 1 stops:', ...notes] : []),
  ].join('\n');
  writeSection('backup', section, '## Backup and restore');
  process.stdout.write(`${section}\n`);
}

await main();
