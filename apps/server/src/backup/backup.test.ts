import { mkdtemp, readFile, writeFile, mkdir, readdir, symlink, truncate, stat, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES_IN_DEPENDENCY_ORDER, testBackends, type Database, type Db } from '@rempart/db';
import { loadConfig } from '../config.ts';
import { createServices } from '../bootstrap.ts';
import { createKeys } from '../platform/keys.ts';
import { SealStream } from '../platform/sealed-stream.ts';
import { checkpointNow, verifyAudit } from '../platform/audit.ts';
import { seedDemo } from '../demo/seed.ts';
import { ArchiveWriter, HEADER_LENGTH, insertPage, restoreArchive, tablePages, writeBackup } from './archive.ts';
import { collectBackup, sealArchive } from './archive-v1.ts';
import { RECORD } from './frames.ts';
import { actualTables, appliedMigrations, tableColumns } from './tables.ts';
import type { Services } from '../platform/services.ts';

const PASSPHRASE = 'une phrase de passe de sauvegarde';
const NOW = new Date('2026-11-22T10:00:00Z');

/**
 * Gives every table the demo leaves empty one row, with microsecond timestamps (now()) and the jsonb
 * columns added by later migrations. A table added to the schema without a row here fails the
 * "every table" test below.
 */
async function fillEmptyTables(db: Db): Promise<void> {
  const org = (await db.selectFrom('organisations').select('id').executeTakeFirstOrThrow()).id;
  const user = (await db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id;
  const incident = (await db.selectFrom('incidents').select('id').executeTakeFirstOrThrow()).id;
  const one = async (table: string, values: Record<string, unknown>): Promise<string | undefined> => {
    const row = await db.insertInto(table as never).values(values as never).returningAll().executeTakeFirstOrThrow();
    return (row as { id?: string }).id;
  };
  const group = await one('groups', { name: 'Groupement de test', created_at: sql`'2026-03-19 10:11:12.123456+00'::timestamptz` });
  await one('group_members', { group_id: group, organisation_id: org });
  await one('group_staff', { group_id: group, user_id: user, role: 'rssi', can_write: true });
  await one('sessions', { id_hash: 'h'.repeat(64), user_id: user, csrf_token: 'csrf', organisation_id: org, ip: '192.0.2.1', user_agent: 'test' });
  await one('cnil_submissions', { organisation_id: org, incident_id: incident, kind: 'initial', snapshot: JSON.stringify({ nested: { a: [1, 2.5, 'é'] } }), changes: null, submitted_by: user, submitted_by_name: 'Agent' });
  await one('register_entries', { incident_id: incident, organisation_id: org, facts: 'Faits\nsur deux lignes', notified: false, reason_not_notified: 'risque faible' });
  await one('notices', { incident_id: incident, organisation_id: org, title: 'Avis', body: 'Texte « guillemets » \\ et tabulation\t' });
  const job = await one('jobs', { organisation_id: org, kind: 'scoping', payload: JSON.stringify({ k: 'v' }), status: 'done', progress: JSON.stringify({ done: 3 }), result: JSON.stringify([1, null, { x: true }]) });
  const evidence = await one('evidence', { organisation_id: org, incident_id: incident, name: 'export.csv', media_type: 'text/csv', size: 12, sha256: 'b'.repeat(64), storage_key: 'evidence/test.bin', uploaded_by: user, uploaded_by_name: 'Agent' });
  const dataset = await one('leaked_datasets', { organisation_id: org, incident_id: incident, name: 'extrait.csv', size: 99, sha256: 'c'.repeat(64), storage_key: 'datasets/x', wrapped_key: 'wrapped', retention_until: sql`now() + interval '90 days'`, created_by: user, created_by_name: 'Agent', mapping: 'colonnes: {}' });
  const scan = await one('forensic_scans', { organisation_id: org, incident_id: incident, job_id: job, input_evidence_ids: JSON.stringify([evidence]), mapping_preset: 'ecs', summary: JSON.stringify({ linesRead: 10 }), report_evidence_id: evidence, created_by: user, created_by_name: 'Agent', mapping_name: 'ECS', error_enc: null });
  await one('forensic_actions', { scan_id: scan, organisation_id: org, account_hash: 'd'.repeat(64), kind: 'tasks', created_by: user });
  await one('forensic_mappings', { organisation_id: org, name: 'Éditeur', mapping_text: 'format: csv', created_by: user, created_by_name: 'Agent', updated_by: user, updated_by_name: 'Agent' });
  const run = await one('scoping_runs', { organisation_id: org, incident_id: incident, dataset_id: dataset, job_id: job, status: 'done', perimeter: JSON.stringify({ modules: ['rh'] }), notification_date: '2026-11-20', mapping: 'm', figures: JSON.stringify({ persons: 42 }), results_layout: JSON.stringify({ segments: [{ name: 'persons-0', count: 42 }] }), created_by: user, created_by_name: 'Agent' });
  await one('scoping_decisions', { organisation_id: org, dataset_id: dataset, record_a: 'a', record_b: 'b', same: true, decided_by: user, decided_by_name: 'Agent' });
  const campaign = await one('scoping_campaigns', { organisation_id: org, run_id: run, job_id: job, dry_run: true, per_minute: 60, counts: JSON.stringify({ sent: 1 }), created_by: user, created_by_name: 'Agent' });
  const delivery = await one('scoping_deliveries', { organisation_id: org, run_id: run, campaign_id: campaign, person_ref: 'p1', channel: 'sms', status: 'sent' });
  await one('scoping_sms_parts', { organisation_id: org, delivery_id: delivery, account: 'mairie@smsc:2775', part_id: 'S1', seq: 0, number_hash: 'h', sent_at: '2026-11-28T10:00:00.123456Z' });
  await one('smpp_listeners', { account: 'mairie@smsc:2775', holder: null, state: 'stopped', since: '2026-11-28T11:00:00.654321Z', expires_at: '2026-11-28T11:00:00.654321Z' });
}

/** Every row of every table as PostgreSQL renders it: exact to the microsecond and the byte. */
async function dump(db: Db): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of TABLES_IN_DEPENDENCY_ORDER) {
    const rows = await db.selectFrom(`${table} as t` as never).select(sql<string>`to_jsonb(t.*)::text`.as('r')).execute();
    out[table] = rows.map((r) => r.r).sort();
  }
  return out;
}

async function tree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (entry.isFile()) out[path.relative(root, path.join(entry.parentPath, entry.name))] = (await readFile(path.join(entry.parentPath, entry.name))).toString('base64');
  }
  return out;
}

async function rowCount(db: Db): Promise<number> {
  let n = 0;
  for (const table of TABLES_IN_DEPENDENCY_ORDER) n += Number((await db.selectFrom(table).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
  return n;
}

for (const backend of testBackends()) {
  describe.skipIf(backend.skipReason)(`backup and restore on ${backend.name}`, () => {
    let source: Services & { dispose(): Promise<void> };
    const opened: { dispose(): Promise<void> }[] = [];
    let work: string;
    let filesDir: string;
    let archive: string;
    const keys = createKeys(randomBytes(32));
    const open = async () => {
      const database = await backend.open();
      opened.push(database);
      return database;
    };
    const services = async (database: Database) => createServices(loadConfig({ REMPART_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'rempart-')) }), { database, keys });

    beforeAll(async () => {
      work = await mkdtemp(path.join(tmpdir(), 'rempart-backup-'));
      const a = await open();
      source = Object.assign(await services(a), { dispose: a.dispose });
      filesDir = path.join(work, 'source', 'files');
      await mkdir(path.join(filesDir, 'preuves', 'sous dossier'), { recursive: true });
      await writeFile(path.join(filesDir, 'preuves', 'journal-export.csv'), 'horodatage;utilisateur\n2026-03-19;agent42\n');
      // Several sealed-stream chunks, and bytes gzip cannot shrink.
      await writeFile(path.join(filesDir, 'preuves', 'sous dossier', 'gros é.bin'), randomBytes(300_000));
      await writeFile(path.join(filesDir, 'vide'), '');
      // A sealed piece as the platform stores it.
      await mkdir(path.join(filesDir, 'evidence'));
      await pipeline(Readable.from([randomBytes(200_000)]), new SealStream(randomBytes(32), 'evidence:test'), createWriteStream(path.join(filesDir, 'evidence', 'piece.bin')));
      await mkdir(path.join(work, 'ailleurs'));
      await writeFile(path.join(work, 'ailleurs', 'secret'), 'hors du dossier');
      await symlink(path.join(work, 'ailleurs'), path.join(filesDir, 'lien'));
      await seedDemo(source);
      await fillEmptyTables(source.db);
      // A real signed checkpoint, so the restored audit trail verifies.
      await checkpointNow(source.db, keys);
      archive = path.join(work, 'sauvegarde.rmpbk');
      const summary = await writeBackup(source.database, filesDir, archive, PASSPHRASE, NOW);
      expect(summary.skipped).toEqual(['lien']);
    });
    afterAll(async () => {
      for (const database of opened) await database.dispose();
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('covers every table of the schema and restores every row and file exactly', async () => {
      // A table of the schema missing from the backup list, or left empty by the fixtures, fails here.
      expect(await actualTables(source.db)).toEqual([...TABLES_IN_DEPENDENCY_ORDER].sort());
      const before = await dump(source.db);
      for (const table of TABLES_IN_DEPENDENCY_ORDER) expect(before[table]!.length, `no row in ${table}`).toBeGreaterThan(0);
      expect(before.groups![0]).toContain('"created_at": "2026-03-19T10:11:12.123456+00:00"');
      const bytes = await readFile(archive);
      expect(bytes.subarray(0, 6).toString()).toBe('RMPBK2');
      expect(bytes.includes(Buffer.from('Val-de-Brême'))).toBe(false);
      expect(bytes.includes(Buffer.from('agent42'))).toBe(false);

      const target = Object.assign(await services(await open()));
      const restoredFiles = path.join(work, 'cible', 'files');
      const result = await restoreArchive(target.database, restoredFiles, archive, PASSPHRASE);
      expect(result.format).toBe(2);
      expect(Object.keys(result.rows)).toEqual(TABLES_IN_DEPENDENCY_ORDER);
      expect(await dump(target.db)).toEqual(before);
      const expectedFiles = await tree(filesDir);
      expect(Object.keys(expectedFiles).sort()).toEqual(['evidence/piece.bin', 'preuves/journal-export.csv', 'preuves/sous dossier/gros é.bin', 'vide']);
      expect(await tree(restoredFiles)).toEqual(expectedFiles);
      expect((await verifyAudit(target.db, keys)).ok).toBe(true);
      // Nothing but the files root is left beside it (no staging folder).
      expect(await readdir(path.join(work, 'cible'))).toEqual(['files']);
    });

    it('takes the file list inside the database snapshot: a file written after it is left out, one purged before its copy is reported', async () => {
      const dir = path.join(work, 'coherence', 'files');
      await mkdir(path.join(dir, 'evidence'), { recursive: true });
      await writeFile(path.join(dir, 'evidence', 'avant.bin'), 'avant');
      await writeFile(path.join(dir, 'evidence', 'purgee.bin'), 'purgée');
      const out = path.join(work, 'coherence.rmpbk');
      const summary = await writeBackup(source.database, dir, out, PASSPHRASE, NOW, {
        // Once the snapshot is released: a new piece (its file, then its row, as the platform writes them) and a purge.
        beforeFiles: async () => {
          await writeFile(path.join(dir, 'evidence', 'apres.bin'), 'après');
          await source.db.insertInto('groups').values({ name: 'Groupement créé pendant la sauvegarde' }).execute();
          await rm(path.join(dir, 'evidence', 'purgee.bin'));
        },
      });
      expect(summary.vanished).toEqual(['evidence/purgee.bin']);
      expect(summary.files).toBe(1);
      const target = await services(await open());
      const restored = path.join(work, 'coherence-cible', 'files');
      const result = await restoreArchive(target.database, restored, out, PASSPHRASE);
      expect(result.files).toBe(1);
      expect(Object.keys(await tree(restored))).toEqual(['evidence/avant.bin']);
      expect(await target.db.selectFrom('groups').select('name').where('name', '=', 'Groupement créé pendant la sauvegarde').execute()).toEqual([]);
      await source.db.deleteFrom('groups').where('name', '=', 'Groupement créé pendant la sauvegarde').execute();
    });

    it('refuses to back up a schema with a table the backup list does not know', async () => {
      const database = await open();
      await sql`CREATE TABLE table_oubliee (id int)`.execute(database.db);
      await expect(writeBackup(database, filesDir, path.join(work, 'refus.rmpbk'), PASSPHRASE, NOW)).rejects.toThrow(/absente\(s\) de la liste de sauvegarde .*: table_oubliee/);
      await expect(stat(path.join(work, 'refus.rmpbk'))).rejects.toThrow();
      await expect(stat(path.join(work, 'refus.rmpbk.partiel'))).rejects.toThrow();
    });

    it('round-trips bytea, microseconds, numerics, arrays and json exactly through the row pages', async () => {
      const database = await open();
      await database.db.transaction().execute(async (trx) => {
        await sql`CREATE TEMP TABLE types_test (b bytea, t timestamptz, n numeric, f double precision, a text[], j json, jb jsonb, big bigint) ON COMMIT DROP`.execute(trx);
        await sql`INSERT INTO types_test VALUES ('\\x00ff10'::bytea, '2026-01-02 03:04:05.123456+00', 12345678901234567890.123456789, 0.1, ARRAY['a','b"c'], '{"b":1,  "a":2}', '{"z":[1,{"y":null}]}', 9007199254740993)`.execute(trx);
        const pages: string[][] = [];
        for await (const page of tablePages(trx, 'types_test')) pages.push(page);
        const before = (await sql<{ r: string }>`SELECT b::text || t::text || n::text || f::text || a::text || j::text || jb::text || big::text AS r FROM types_test`.execute(trx)).rows[0]!.r;
        await sql`DELETE FROM types_test`.execute(trx);
        const known = new Set((await tableColumns(trx, 'types_test')).map((c) => c.name));
        await insertPage(trx, 'types_test', pages.flat(), known);
        const after = (await sql<{ r: string }>`SELECT b::text || t::text || n::text || f::text || a::text || j::text || jb::text || big::text AS r FROM types_test`.execute(trx)).rows[0]!.r;
        expect(after).toBe(before);
        expect(before).toContain('.123456');
        expect(before).toContain('12345678901234567890.123456789');
        expect(before).toContain('9007199254740993');
      });
    });

    describe('failures leave nothing behind', () => {
      let target: Services;
      let root: string;
      const expectNothingRestored = async () => {
        expect(await rowCount(target.db)).toBe(0);
        expect(await tree(root)).toEqual({});
        expect((await readdir(path.dirname(root))).filter((n) => n !== 'files')).toEqual([]);
      };
      beforeAll(async () => {
        target = await services(await open());
        root = path.join(work, 'echecs', 'files');
        await mkdir(root, { recursive: true });
      });

      it('wrong passphrase, altered byte, truncated archive: clear French errors', async () => {
        await expect(restoreArchive(target.database, root, archive, 'pas la bonne phrase')).rejects.toThrow(/Phrase de passe incorrecte.*Rien n'a été restauré/);
        await expectNothingRestored();

        const bytes = await readFile(archive);
        for (const offset of [HEADER_LENGTH + 200, Math.floor(bytes.length / 2), bytes.length - 20]) {
          const damaged = Buffer.from(bytes);
          damaged[offset]! ^= 0x01;
          const file = path.join(work, `altere-${offset}.rmpbk`);
          await writeFile(file, damaged);
          await expect(restoreArchive(target.database, root, file, PASSPHRASE), `offset ${offset}`).rejects.toThrow(/Sauvegarde altérée ou tronquée.*Rien n'a été restauré/);
          await expectNothingRestored();
        }
        const header = Buffer.from(bytes);
        header[10]! ^= 0x01;
        await writeFile(path.join(work, 'entete.rmpbk'), header);
        await expect(restoreArchive(target.database, root, path.join(work, 'entete.rmpbk'), PASSPHRASE)).rejects.toThrow(/Phrase de passe incorrecte \(ou en-tête/);

        // Cut in the middle of the files part (the big random file is the last ~300 KB), and at a chunk boundary.
        for (const length of [bytes.length - 150_000, HEADER_LENGTH + 3 + 4 + 32 + (65_536 + 16) * 2]) {
          const file = path.join(work, `tronque-${length}.rmpbk`);
          await writeFile(file, bytes);
          await truncate(file, length);
          await expect(restoreArchive(target.database, root, file, PASSPHRASE), `length ${length}`).rejects.toThrow(/Sauvegarde altérée ou tronquée.*Rien n'a été restauré/);
          await expectNothingRestored();
        }
        await writeFile(path.join(work, 'autre.rmpbk'), 'PK\u0003\u0004 pas une sauvegarde');
        await expect(restoreArchive(target.database, root, path.join(work, 'autre.rmpbk'), PASSPHRASE)).rejects.toThrow(/n'est pas une sauvegarde Rempart/);
      });

      it('hostile file names are refused and nothing is written anywhere', async () => {
        const manifest = { format: 2, createdAt: NOW.toISOString(), migrations: await appliedMigrations(target.db), tables: [...TABLES_IN_DEPENDENCY_ORDER] };
        const orgRow = (await sql<{ r: string }>`SELECT to_jsonb(t)::text AS r FROM organisations t LIMIT 1`.execute(source.db)).rows[0]!.r;
        for (const name of ['../x', 'preuves/../../x', '/tmp/absolu', 'C:\\windows', 'a/./b', 'a//b', '']) {
          const file = path.join(work, 'hostile.rmpbk');
          const writer = await ArchiveWriter.create(file, PASSPHRASE);
          await writer.record(RECORD.manifest, 'manifest.json', Buffer.from(JSON.stringify(manifest)));
          await writer.record(RECORD.rows, 'organisations', gzipSync(`${orgRow}\n`));
          await writer.record(RECORD.file, 'preuves/avant.txt', Buffer.from('avant'));
          await writer.record(RECORD.file, name, Buffer.from('charge'));
          await writer.record(RECORD.end, 'end.json', Buffer.from(JSON.stringify({ rows: { organisations: 1 }, files: 2 })));
          await writer.finish();
          await expect(restoreArchive(target.database, root, file, PASSPHRASE), name).rejects.toThrow(/Chemin de fichier refusé/);
          await expectNothingRestored();
          expect(await readdir(work)).not.toContain('x');
        }
      });

      it('refuses a files root holding a symbolic link (or any file), before touching the database', async () => {
        await symlink(path.join(work, 'ailleurs'), path.join(root, 'preuves'));
        await expect(restoreArchive(target.database, root, archive, PASSPHRASE)).rejects.toThrow(/dossier des fichiers n'est pas vide/);
        await rm(path.join(root, 'preuves'));
        expect(await rowCount(target.db)).toBe(0);
        expect(await readdir(path.join(work, 'ailleurs'))).toEqual(['secret']);
      });

      it('after all those failures the same target still takes the archive, and refuses a second one', async () => {
        await restoreArchive(target.database, root, archive, PASSPHRASE);
        expect(await dump(target.db)).toEqual(await dump(source.db));
        await rm(root, { recursive: true });
        await expect(restoreArchive(target.database, root, archive, PASSPHRASE)).rejects.toThrow(/base de destination contient déjà des données/);
        expect(await tree(root)).toEqual({});
      });
    });

    it('still restores a format 1 archive, json columns of later migrations included', async () => {
      const content = await collectBackup(source.database, filesDir, NOW);
      const file = path.join(work, 'ancien.rmpbk');
      await writeFile(file, sealArchive(content, PASSPHRASE));
      const target = await services(await open());
      const restoredFiles = path.join(work, 'v1', 'files');
      const result = await restoreArchive(target.database, restoredFiles, file, PASSPHRASE);
      expect(result.format).toBe(1);
      // Format 1 carried timestamps as JavaScript dates (milliseconds): compared at that precision.
      for (const table of TABLES_IN_DEPENDENCY_ORDER) {
        const rows = async (db: Db) => (await db.selectFrom(table).selectAll().execute()).map((r) => JSON.stringify(r)).sort();
        expect(await rows(target.db), table).toEqual(await rows(source.db));
      }
      const layout = await target.db.selectFrom('scoping_runs').select('results_layout').executeTakeFirstOrThrow();
      expect(layout.results_layout).toEqual({ segments: [{ name: 'persons-0', count: 42 }] });
      expect(await tree(restoredFiles)).toEqual(await tree(filesDir));
    });
  });
}
