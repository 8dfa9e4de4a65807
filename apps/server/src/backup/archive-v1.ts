// Format 1 (read for restore; written only by tests and the bench, to measure and prove it still
// restores): "RMPBK1" magic, scrypt salt, AES-256-GCM nonce and tag, then the gzip of ONE JSON
// document holding every row and every file in base64. Everything is in memory at once, which is
// why format 2 (archive.ts) replaced it.
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { TABLES_IN_DEPENDENCY_ORDER, listMigrations, type Database } from '@rempart/db';
import { listFiles, type Staging } from './files.ts';
import { tableColumns } from './tables.ts';
import type { Transaction } from 'kysely';
import type { Schema } from '@rempart/db';

export const MAGIC_V1 = Buffer.from('RMPBK1');
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export interface BackupContent {
  format: 1;
  createdAt: string;
  migrations: string[];
  tables: Record<string, Record<string, unknown>[]>;
  files: { path: string; base64: string }[];
}

export function checkPassphrase(passphrase: string): void {
  if (passphrase.length < 12) throw new Error('La phrase de passe de sauvegarde doit contenir au moins 12 caractères.');
}

function keyFrom(passphrase: string, salt: Buffer): Buffer {
  checkPassphrase(passphrase);
  return scryptSync(passphrase, salt, 32, SCRYPT);
}

export function sealArchive(content: BackupContent, passphrase: string): Buffer {
  const salt = randomBytes(16);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(passphrase, salt), nonce);
  cipher.setAAD(MAGIC_V1);
  const body = Buffer.concat([cipher.update(gzipSync(JSON.stringify(content))), cipher.final()]);
  return Buffer.concat([MAGIC_V1, salt, nonce, cipher.getAuthTag(), body]);
}

export function openArchive(archive: Buffer, passphrase: string): BackupContent {
  if (archive.length < 50 || !archive.subarray(0, 6).equals(MAGIC_V1)) {
    throw new Error("Ce fichier n'est pas une sauvegarde Rempart (en-tête RMPBK1 absent).");
  }
  const salt = archive.subarray(6, 22);
  const decipher = createDecipheriv('aes-256-gcm', keyFrom(passphrase, salt), archive.subarray(22, 34));
  decipher.setAAD(MAGIC_V1);
  decipher.setAuthTag(archive.subarray(34, 50));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(archive.subarray(50)), decipher.final()]);
  } catch {
    throw new Error('Phrase de passe incorrecte ou sauvegarde altérée (authentification échouée) : rien n’a été restauré.');
  }
  const content = JSON.parse(gunzipSync(plain).toString('utf8')) as BackupContent;
  if (content.format !== 1) throw new Error(`Format de sauvegarde inconnu : ${String(content.format)}`);
  return content;
}

/** The format 1 writer, kept for tests and the bench only. */
export async function collectBackup(database: Database, filesDir: string, now: Date): Promise<BackupContent> {
  const tables: BackupContent['tables'] = {};
  await database.db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
    for (const table of TABLES_IN_DEPENDENCY_ORDER) {
      tables[table] = (await trx.selectFrom(table).selectAll().execute()) as Record<string, unknown>[];
    }
  });
  const files = await Promise.all(
    (await listFiles(filesDir)).files.map(async (p) => ({ path: p, base64: (await readFile(path.join(filesDir, ...p.split('/')))).toString('base64') })),
  );
  return { format: 1, createdAt: now.toISOString(), migrations: (await listMigrations()).map((m) => m.version), tables, files };
}

/**
 * Inserts a format 1 document's rows inside the caller's transaction and stages its files. JSON
 * columns are the ones the database declares json/jsonb (the rows hold them parsed, the driver
 * wants text); a hard-coded list here once missed columns added by later migrations.
 */
export async function restoreV1Content(trx: Transaction<Schema>, staging: Staging, content: BackupContent, tables: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const jsonColumns = new Set((await tableColumns(trx, table)).filter((c) => c.type === 'json' || c.type === 'jsonb').map((c) => c.name));
    const rows = content.tables[table] ?? [];
    counts[table] = rows.length;
    for (let i = 0; i < rows.length; i += 200) {
      const batch = rows.slice(i, i + 200).map((row) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k, jsonColumns.has(k) && v !== null ? JSON.stringify(v) : v])),
      );
      await trx.insertInto(table as keyof Schema).values(batch as never).execute();
    }
  }
  const unknown = Object.keys(content.tables).filter((t) => !tables.includes(t));
  if (unknown.length) throw new Error(`Table(s) inconnue(s) dans la sauvegarde : ${unknown.join(', ')}`);
  for (const file of content.files) {
    await staging.write(file.path, (async function* () {
      yield Buffer.from(file.base64, 'base64');
    })());
  }
  return counts;
}
