// One encrypted archive holds every table and every stored file. Format: "RMPBK1" magic, scrypt salt,
// AES-256-GCM nonce and tag, then the gzip of a JSON document. The passphrase never touches disk.
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { readdir, readFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { TABLES_IN_DEPENDENCY_ORDER, listMigrations, type Database } from '@rempart/db';

const MAGIC = Buffer.from('RMPBK1');
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export interface BackupContent {
  format: 1;
  createdAt: string;
  migrations: string[];
  tables: Record<string, Record<string, unknown>[]>;
  files: { path: string; base64: string }[];
}

function keyFrom(passphrase: string, salt: Buffer): Buffer {
  if (passphrase.length < 12) throw new Error('La phrase de passe de sauvegarde doit contenir au moins 12 caractères.');
  return scryptSync(passphrase, salt, 32, SCRYPT);
}

export function sealArchive(content: BackupContent, passphrase: string): Buffer {
  const salt = randomBytes(16);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(passphrase, salt), nonce);
  cipher.setAAD(MAGIC);
  const body = Buffer.concat([cipher.update(gzipSync(JSON.stringify(content))), cipher.final()]);
  return Buffer.concat([MAGIC, salt, nonce, cipher.getAuthTag(), body]);
}

export function openArchive(archive: Buffer, passphrase: string): BackupContent {
  if (archive.length < 50 || !archive.subarray(0, 6).equals(MAGIC)) {
    throw new Error("Ce fichier n'est pas une sauvegarde Rempart (en-tête RMPBK1 absent).");
  }
  const salt = archive.subarray(6, 22);
  const decipher = createDecipheriv('aes-256-gcm', keyFrom(passphrase, salt), archive.subarray(22, 34));
  decipher.setAAD(MAGIC);
  decipher.setAuthTag(archive.subarray(34, 50));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(archive.subarray(50)), decipher.final()]);
  } catch {
    throw new Error('Phrase de passe incorrecte ou sauvegarde altérée (authentification échouée).');
  }
  const content = JSON.parse(gunzipSync(plain).toString('utf8')) as BackupContent;
  if (content.format !== 1) throw new Error(`Format de sauvegarde inconnu : ${String(content.format)}`);
  return content;
}

async function listFiles(root: string, base = root): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const entry of entries) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full, base)));
    else if (entry.isFile()) out.push(path.relative(base, full));
  }
  return out.sort();
}

/** Reads every table inside one REPEATABLE READ transaction so the snapshot is consistent. */
export async function collectBackup(database: Database, filesDir: string, now: Date): Promise<BackupContent> {
  const tables: BackupContent['tables'] = {};
  await database.db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
    for (const table of TABLES_IN_DEPENDENCY_ORDER) {
      tables[table] = (await trx.selectFrom(table).selectAll().execute()) as Record<string, unknown>[];
    }
  });
  const files = await Promise.all(
    (await listFiles(filesDir)).map(async (p) => ({ path: p, base64: (await readFile(path.join(filesDir, p))).toString('base64') })),
  );
  return { format: 1, createdAt: now.toISOString(), migrations: (await listMigrations()).map((m) => m.version), tables, files };
}

const JSON_COLUMNS = new Set(['recovery_codes', 'details', 'affected_systems', 'affected_services', 'personal_data', 'dossier', 'snapshot', 'changes', 'payload', 'progress', 'result']);

/** Restores into an empty database, all or nothing. */
export async function restoreBackup(database: Database, filesDir: string, content: BackupContent): Promise<Record<string, number>> {
  const known = new Set((await listMigrations()).map((m) => m.version));
  const unknown = content.migrations.filter((m) => !known.has(m));
  if (unknown.length) throw new Error(`Sauvegarde issue d'une version plus récente (migrations inconnues : ${unknown.join(', ')}).`);
  // Every file path is checked before anything is written, so a hostile archive changes nothing.
  const root = path.resolve(filesDir);
  for (const file of content.files) {
    const target = path.resolve(root, file.path);
    if (!target.startsWith(root + path.sep)) throw new Error(`Chemin de fichier refusé dans la sauvegarde : ${file.path}`);
  }
  const counts: Record<string, number> = {};
  await database.db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('organisations').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    if (Number(existing.n) > 0) throw new Error('La base de destination contient déjà des données : la restauration se fait dans une base vide.');
    for (const table of TABLES_IN_DEPENDENCY_ORDER) {
      const rows = content.tables[table] ?? [];
      counts[table] = rows.length;
      for (let i = 0; i < rows.length; i += 200) {
        const batch = rows.slice(i, i + 200).map((row) =>
          Object.fromEntries(Object.entries(row).map(([k, v]) => [k, JSON_COLUMNS.has(k) && v !== null ? JSON.stringify(v) : v])),
        );
        await trx.insertInto(table).values(batch as never).execute();
      }
    }
  });
  for (const file of content.files) {
    const target = path.resolve(root, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, Buffer.from(file.base64, 'base64'));
  }
  return counts;
}
