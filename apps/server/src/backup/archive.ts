// Rempart's own backup, format 2: written and restored as a stream, so memory stays constant whatever
// the size of the evidence files. Layout:
//   "RMPBK2" | scrypt log2(N), r, p (1 byte each) | salt (16) | HMAC-SHA256 of the preceding bytes (32)
//   | sealed stream (platform/sealed-stream.ts, "RB2", key = scrypt(passphrase)) of
//   | records (frames.ts): manifest, pages of rows per table (gzipped NDJSON), files, end.
// The header MAC tells a wrong passphrase apart from damage; every 64 KiB chunk of the sealed stream
// is authenticated, and its final-chunk flag catches a truncated archive. Rows are the database's own
// JSON rendering of each row (row_to_json), read back by json_populate_recordset into the table's own
// row type: bytea, timestamps to the microsecond, numerics and json columns round-trip exactly, and
// no column list is kept here. Only row pages are compressed: stored files are sealed already
// (ciphertext), and deflating them was most of a 1 GB backup's time for nothing (bench/RESULTS.md).
// Format 1 archives (archive-v1.ts) are still restored.
import { createHmac, hkdfSync, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql, type Transaction } from 'kysely';
import type { Database, Schema } from '@rempart/db';
import { OpenStream, SealStream, SealedFileError } from '../platform/sealed-stream.ts';
import { MAGIC_V1, checkPassphrase, openArchive as openV1, restoreV1Content } from './archive-v1.ts';
import { Staging, assertEmptyFilesRoot, listFiles, type FileListing } from './files.ts';
import { ArchiveFormatError, FrameReader, RECORD, recordHeader, type RecordKind } from './frames.ts';
import { appliedMigrations, assertEmptyDatabase, backupTables, tableColumns } from './tables.ts';

export const MAGIC = Buffer.from('RMPBK2');
export const FORMAT = 2;
const BINDING = 'rempart:backup:v2';
const SALT = 16;
const PARAMS_END = MAGIC.length + 3 + SALT;
export const HEADER_LENGTH = PARAMS_END + 32;
const DEFAULT_SCRYPT = { logN: 15, r: 8, p: 1 };
// Above this scrypt would ask for more memory than a backup should: such a header is damaged.
const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;
// Pages of rows and the manifest are read whole; anything bigger is not an archive we wrote.
const MAX_PAGE_BYTES = 256 * 1024 * 1024;

export interface Manifest {
  format: 2;
  createdAt: string;
  migrations: string[];
  tables: string[];
}

export interface BackupSummary {
  rows: Record<string, number>;
  files: number;
  fileBytes: number;
  /** Entries of the files folder that are not regular files (links…), not saved. */
  skipped: string[];
  /**
   * Files present at the snapshot but removed before they were copied (a purge in between): their
   * rows are in the archive, their content is not; named so that the operator knows.
   */
  vanished: string[];
}

export interface RestoreSummary {
  format: 1 | 2;
  rows: Record<string, number>;
  files: number;
}

const scrypt = (passphrase: string, salt: Buffer, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(passphrase, salt, 32, options, (error, key) => (error ? reject(error) : resolve(key))));

async function deriveKey(passphrase: string, params: Buffer): Promise<Buffer> {
  checkPassphrase(passphrase);
  const [logN, r, p] = [params[MAGIC.length]!, params[MAGIC.length + 1]!, params[MAGIC.length + 2]!];
  const memory = 128 * 2 ** logN * r;
  if (logN < 10 || logN > 22 || r < 1 || p < 1 || p > 16 || memory > MAX_SCRYPT_MEMORY) {
    throw new Error('En-tête de sauvegarde altéré (paramètres scrypt invalides) : rien n’a été restauré.');
  }
  return scrypt(passphrase, params.subarray(MAGIC.length + 3, PARAMS_END), { N: 2 ** logN, r, p, maxmem: memory * 2 });
}

function headerMac(key: Buffer, params: Buffer): Buffer {
  const macKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'rempart:backup:header', 32));
  return createHmac('sha256', macKey).update(params).digest();
}

async function newHeader(passphrase: string): Promise<{ header: Buffer; key: Buffer }> {
  const params = Buffer.concat([MAGIC, Buffer.from([DEFAULT_SCRYPT.logN, DEFAULT_SCRYPT.r, DEFAULT_SCRYPT.p]), randomBytes(SALT)]);
  const key = await deriveKey(passphrase, params);
  return { header: Buffer.concat([params, headerMac(key, params)]), key };
}

/** The sealed, compressed record stream of one archive being written, with backpressure. */
export class ArchiveWriter {
  private readonly seal: SealStream;
  private readonly written: Promise<void>;

  private constructor(header: Buffer, key: Buffer, private readonly partial: string, private readonly out: string) {
    const file = createWriteStream(partial, { mode: 0o600 });
    // Written before anything is piped in, so it comes first.
    file.write(header);
    this.seal = new SealStream(key, BINDING);
    this.written = pipeline(this.seal, file);
    this.written.catch(() => undefined);
  }

  /** Writes to `out.partiel`, renamed to `out` by finish(): a failure never leaves a plausible archive. */
  static async create(out: string, passphrase: string): Promise<ArchiveWriter> {
    const { header, key } = await newHeader(passphrase);
    return new ArchiveWriter(header, key, `${out}.partiel`, out);
  }

  async emit(chunk: Buffer): Promise<void> {
    if (!this.seal.write(chunk)) await Promise.race([once(this.seal, 'drain'), this.written]);
  }

  async record(kind: RecordKind, name: string, body: Buffer): Promise<void> {
    await this.emit(recordHeader(kind, name, body.length));
    if (body.length) await this.emit(body);
  }

  async finish(): Promise<void> {
    this.seal.end();
    await this.written;
    await rename(this.partial, this.out);
  }

  async abort(error: Error): Promise<void> {
    this.seal.destroy(error);
    await this.written.catch(() => undefined);
    await rm(this.partial, { force: true });
  }
}

/** The table's rows, aliased so the whole row can be named without colliding with a column. */
function rowsOf(trx: Transaction<Schema>, table: string) {
  return trx.selectFrom(`${table} as rempart_row` as keyof Schema);
}

/** A table's rows as the database renders them (row_to_json: json columns keep their exact text), page by page through a cursor of the caller's transaction. */
export async function* tablePages(trx: Transaction<Schema>, table: string): AsyncGenerator<string[]> {
  // "alias.*": a bare alias would name a column instead, should the table have one of that name.
  const query = rowsOf(trx, table).select(sql<string>`row_to_json(rempart_row.*)::text`.as('r'));
  await sql`DECLARE rempart_backup NO SCROLL CURSOR FOR ${query}`.execute(trx);
  for (;;) {
    const page = await sql<{ r: string }>`FETCH 500 FROM rempart_backup`.execute(trx);
    if (page.rows.length === 0) break;
    yield page.rows.map((row) => row.r);
  }
  await sql`CLOSE rempart_backup`.execute(trx);
}

/**
 * Inserts rows rendered by tablePages into the table's own row type (json_populate_recordset). Only
 * the columns the rows carry are named, so a column added by a later migration keeps its default; a
 * column the table no longer has is an error, not silently dropped.
 */
export async function insertPage(trx: Transaction<Schema>, table: string, lines: string[], known: ReadonlySet<string>): Promise<void> {
  if (lines.length === 0) return;
  const present = Object.keys(JSON.parse(lines[0]!) as Record<string, unknown>);
  const extra = present.filter((c) => !known.has(c));
  if (extra.length) throw new ArchiveFormatError(`colonne(s) ${extra.join(', ')} inconnue(s) dans la table ${table}`);
  // A NULL of the table's row type, the first argument json_populate_recordset takes its column types from.
  const typedNull = rowsOf(trx, table).select(sql`rempart_row`.as('row')).limit(0);
  const rows = trx
    .selectFrom(sql`json_populate_recordset(${typedNull}, ${`[${lines.join(',')}]`}::json)`.as('p'))
    .select(present.map((c) => `p.${c}`) as never);
  await trx.insertInto(table as keyof Schema).columns(present as never).expression(rows as never).execute();
}

/**
 * Writes a format 2 archive of every table and every file under `filesDir`. `beforeFiles` runs once
 * the snapshot is released and before the files are copied (tests put a purge there).
 */
export async function writeBackup(database: Database, filesDir: string, out: string, passphrase: string, now: Date, options: { beforeFiles?: () => Promise<void> } = {}): Promise<BackupSummary> {
  const writer = await ArchiveWriter.create(out, passphrase);
  const summary: BackupSummary = { rows: {}, files: 0, fileBytes: 0, skipped: [], vanished: [] };
  let listing: FileListing = { files: [], skipped: [] };
  try {
    // One REPEATABLE READ, READ ONLY transaction: every table is read from the same snapshot.
    await database.db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(async (trx) => {
      const tables = await backupTables(trx);
      // Listed once the snapshot exists (its first query above), so the file set matches the rows: a
      // file is written before its row commits, so every row seen has its file listed; a file written
      // after the snapshot belongs to a row this archive does not hold, and is left out.
      listing = await listFiles(filesDir);
      const manifest: Manifest = { format: FORMAT, createdAt: now.toISOString(), migrations: await appliedMigrations(trx), tables };
      await writer.record(RECORD.manifest, 'manifest.json', Buffer.from(JSON.stringify(manifest)));
      for (const table of tables) {
        summary.rows[table] = 0;
        for await (const lines of tablePages(trx, table)) {
          summary.rows[table] += lines.length;
          await writer.record(RECORD.rows, table, gzipSync(`${lines.join('\n')}\n`));
        }
      }
    });
    // Copied after the transaction: a long copy must not hold a database snapshot open.
    await options.beforeFiles?.();
    summary.skipped = listing.skipped;
    for (const name of listing.files) {
      const full = path.join(filesDir, ...name.split('/'));
      const stat = await lstat(full).catch(() => null);
      // Purged between the snapshot and now: nothing left to save; reported, its rows stay as they were.
      if (!stat) {
        summary.vanished.push(name);
        continue;
      }
      if (!stat.isFile()) {
        summary.skipped.push(name);
        continue;
      }
      await writer.emit(recordHeader(RECORD.file, name, stat.size));
      let read = 0;
      if (stat.size > 0) {
        for await (const chunk of createReadStream(full, { start: 0, end: stat.size - 1, highWaterMark: 256 * 1024 })) {
          read += (chunk as Buffer).length;
          await writer.emit(chunk as Buffer);
        }
      }
      if (read !== stat.size) throw new Error(`Fichier modifié pendant la sauvegarde : ${name} (${read} octets lus sur ${stat.size}).`);
      summary.files += 1;
      summary.fileBytes += stat.size;
    }
    await writer.record(RECORD.end, 'end.json', Buffer.from(JSON.stringify({ rows: summary.rows, files: summary.files, vanished: summary.vanished })));
    await writer.finish();
    return summary;
  } catch (error) {
    await writer.abort(error as Error);
    throw error;
  }
}

const nothingRestored = "Rien n'a été restauré.";

function explain(error: unknown): Error {
  const e = error as Error & { code?: string };
  if (e instanceof SealedFileError) return new Error(`Sauvegarde altérée ou tronquée (${e.message}). ${nothingRestored}`, { cause: error });
  if (e instanceof ArchiveFormatError) return new Error(`Sauvegarde illisible : ${e.message}. ${nothingRestored}`, { cause: error });
  return new Error(`${e.message.replace(/\s*Rien n.a été restauré\.?$/u, '')} ${nothingRestored}`, { cause: error });
}

/** Restores an archive (format 1 or 2) into an empty database and an empty files folder, all or nothing. */
export async function restoreArchive(database: Database, filesDir: string, archive: string, passphrase: string): Promise<RestoreSummary> {
  const handle = await open(archive, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new Error(error.code === 'ENOENT' ? `Archive introuvable : ${archive}` : `Archive illisible : ${archive} (${error.code ?? error.message})`, { cause: error });
  });
  const start = Buffer.alloc(HEADER_LENGTH + 3);
  let got: number;
  try {
    got = (await handle.read(start, 0, start.length, 0)).bytesRead;
  } finally {
    await handle.close();
  }
  const magic = start.subarray(0, 6);
  if (got >= 6 && magic.equals(MAGIC_V1)) return restoreV1(database, filesDir, archive, passphrase);
  if (got < 6 || !magic.equals(MAGIC)) throw new Error(`Ce fichier n'est pas une sauvegarde Rempart (en-tête RMPBK2 ou RMPBK1 absent) : ${archive}`);
  if (got < start.length) throw new Error(`Sauvegarde tronquée (en-tête incomplet). ${nothingRestored}`);
  const params = start.subarray(0, PARAMS_END);
  const key = await deriveKey(passphrase, params);
  if (!timingSafeEqual(headerMac(key, params), start.subarray(PARAMS_END, HEADER_LENGTH))) {
    throw new Error(`Phrase de passe incorrecte (ou en-tête de la sauvegarde altéré). ${nothingRestored}`);
  }
  // OpenStream also reads its version 1 layout; a backup is always version 2.
  if (start.subarray(HEADER_LENGTH).toString('latin1') !== 'RB2') throw new Error(`Sauvegarde altérée (flux chiffré inconnu). ${nothingRestored}`);

  return restoreInto(database, filesDir, async (trx, staging, tables) => {
    // Read by awaiting each piece here, not in a pipeline() consumer: when a stream fails, no query
    // of this transaction may still be in flight after it rolls back (on PostgreSQL such a query
    // would run on the released connection, outside any transaction).
    const source = createReadStream(archive, { start: HEADER_LENGTH, highWaterMark: 256 * 1024 });
    const plain = new OpenStream(key, BINDING);
    source.on('error', (error) => plain.destroy(error));
    source.pipe(plain);
    try {
      return await consume(new FrameReader(plain[Symbol.asyncIterator]()), trx, staging, tables);
    } finally {
      source.destroy();
      plain.destroy();
    }
  });
}

async function restoreInto(
  database: Database,
  filesDir: string,
  run: (trx: Transaction<Schema>, staging: Staging, tables: string[]) => Promise<RestoreSummary>,
): Promise<RestoreSummary> {
  await assertEmptyFilesRoot(filesDir);
  const staging = await Staging.create(filesDir);
  let summary: RestoreSummary;
  try {
    summary = await database.db.transaction().execute(async (trx) => {
      const tables = await backupTables(trx);
      await assertEmptyDatabase(trx, tables);
      return run(trx, staging, tables);
    });
  } catch (error) {
    await staging.abort();
    throw explain(error);
  }
  // The rows are committed: the files follow, by renames on the same file system.
  try {
    await staging.commit();
  } catch (error) {
    throw new Error(`Base restaurée, mais les fichiers n'ont pas pu être mis en place (${(error as Error).message}) ; ils restent dans ${staging.dir}.`, { cause: error });
  }
  return summary;
}

async function restoreV1(database: Database, filesDir: string, archive: string, passphrase: string): Promise<RestoreSummary> {
  const content = openV1(await readFile(archive), passphrase);
  return restoreInto(database, filesDir, async (trx, staging, tables) => {
    await checkMigrations(trx, content.migrations);
    const rows = await restoreV1Content(trx, staging, content, tables);
    return { format: 1, rows, files: content.files.length };
  });
}

async function checkMigrations(trx: Transaction<Schema>, migrations: string[]): Promise<void> {
  const known = new Set(await appliedMigrations(trx));
  const unknown = migrations.filter((m) => !known.has(m));
  if (unknown.length) throw new Error(`Sauvegarde issue d'une version plus récente de Rempart (migrations inconnues : ${unknown.join(', ')}).`);
}

async function readWhole(reader: FrameReader, length: number, what: string): Promise<Buffer> {
  if (length > MAX_PAGE_BYTES) throw new ArchiveFormatError(`${what} trop grand (${length} octets)`);
  const parts: Buffer[] = [];
  for await (const piece of reader.body(length, what)) parts.push(Buffer.from(piece));
  return Buffer.concat(parts);
}

function unzipPage(body: Buffer, table: string): string {
  try {
    return gunzipSync(body, { maxOutputLength: MAX_PAGE_BYTES }).toString('utf8');
  } catch {
    throw new ArchiveFormatError(`page de lignes illisible pour ${table}`);
  }
}

async function consume(reader: FrameReader, trx: Transaction<Schema>, staging: Staging, tables: string[]): Promise<RestoreSummary> {
  const first = await reader.header();
  if (!first || first.kind !== RECORD.manifest) throw new ArchiveFormatError('manifeste absent en tête de sauvegarde');
  const manifest = JSON.parse((await readWhole(reader, first.length, 'manifeste')).toString('utf8')) as Manifest;
  if (manifest.format !== FORMAT) throw new ArchiveFormatError(`format ${String(manifest.format)} inconnu`);
  await checkMigrations(trx, manifest.migrations);
  const unknownTables = manifest.tables.filter((t) => !tables.includes(t));
  if (unknownTables.length) throw new ArchiveFormatError(`table(s) inconnue(s) de cette version : ${unknownTables.join(', ')}`);

  const rows: Record<string, number> = Object.fromEntries(manifest.tables.map((t) => [t, 0]));
  const columns = new Map<string, Set<string>>();
  let tableIndex = 0;
  let files = 0;
  for (;;) {
    const record = await reader.header();
    if (!record) throw new ArchiveFormatError("fin de sauvegarde absente (archive coupée)");
    if (record.kind === RECORD.rows) {
      // Pages come table by table in dependency order; going back would break foreign keys.
      const index = tables.indexOf(record.name);
      if (files > 0 || index < tableIndex || !manifest.tables.includes(record.name)) throw new ArchiveFormatError(`page de lignes inattendue pour ${record.name}`);
      tableIndex = index;
      const body = unzipPage(await readWhole(reader, record.length, `page de ${record.name}`), record.name);
      const lines = body.split('\n').filter((l) => l.length > 0);
      if (!columns.has(record.name)) columns.set(record.name, new Set((await tableColumns(trx, record.name)).map((c) => c.name)));
      await insertPage(trx, record.name, lines, columns.get(record.name)!);
      rows[record.name]! += lines.length;
    } else if (record.kind === RECORD.file) {
      await staging.write(record.name, reader.body(record.length, `fichier ${record.name}`));
      files += 1;
    } else if (record.kind === RECORD.end) {
      const end = JSON.parse((await readWhole(reader, record.length, 'fin')).toString('utf8')) as { rows: Record<string, number>; files: number };
      const mismatch = manifest.tables.filter((t) => (end.rows[t] ?? 0) !== rows[t]);
      if (mismatch.length || end.files !== files) throw new ArchiveFormatError(`décompte incohérent (${mismatch.join(', ') || 'fichiers'})`);
      if (!(await reader.atEnd())) throw new ArchiveFormatError('données après la fin de sauvegarde');
      return { format: 2, rows, files };
    } else {
      throw new ArchiveFormatError('second manifeste');
    }
  }
}
