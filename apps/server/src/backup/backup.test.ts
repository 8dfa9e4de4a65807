import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES_IN_DEPENDENCY_ORDER, testBackends } from '@rempart/db';
import { loadConfig } from '../config.ts';
import { createServices } from '../bootstrap.ts';
import { createKeys } from '../platform/keys.ts';
import { verifyAudit } from '../platform/audit.ts';
import { seedDemo } from '../demo/seed.ts';
import { collectBackup, openArchive, restoreBackup, sealArchive } from './archive.ts';
import type { Services } from '../platform/services.ts';

const PASSPHRASE = 'une phrase de passe de sauvegarde';

for (const backend of testBackends()) {
  describe.skipIf(backend.skipReason)(`backup and restore on ${backend.name}`, () => {
    let source: Services & { dispose(): Promise<void> };
    let target: Services & { dispose(): Promise<void> };
    let filesDir: string;
    const keys = createKeys(randomBytes(32));

    beforeAll(async () => {
      const config = loadConfig({ REMPART_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'rempart-')) });
      const a = await backend.open();
      const b = await backend.open();
      source = Object.assign(await createServices(config, { database: a, keys }), { dispose: a.dispose });
      target = Object.assign(await createServices(config, { database: b, keys }), { dispose: b.dispose });
      filesDir = path.join(config.dataDir, 'files');
      await mkdir(path.join(filesDir, 'preuves'), { recursive: true });
      await writeFile(path.join(filesDir, 'preuves', 'journal-export.csv'), 'horodatage;utilisateur\n2026-03-19;agent42\n');
      await seedDemo(source);
    });
    afterAll(async () => {
      await source?.dispose();
      await target?.dispose();
    });

    it('restores every row and file of the demo, byte for byte, with an intact audit trail', async () => {
      const before = await collectBackup(source.database, filesDir, new Date('2026-11-22T10:00:00Z'));
      const archive = sealArchive(before, PASSPHRASE);
      expect(archive.includes(Buffer.from('Val-de-Brême'))).toBe(false);

      const restoredFiles = await mkdtemp(path.join(tmpdir(), 'rempart-restore-'));
      await restoreBackup(target.database, restoredFiles, openArchive(archive, PASSPHRASE));
      const after = await collectBackup(target.database, restoredFiles, new Date('2026-11-22T10:00:00Z'));
      for (const table of TABLES_IN_DEPENDENCY_ORDER) expect(after.tables[table], table).toEqual(before.tables[table]);
      expect(after.files).toEqual(before.files);
      expect(await readFile(path.join(restoredFiles, 'preuves', 'journal-export.csv'), 'utf8')).toContain('agent42');
      expect((await verifyAudit(target.db, keys)).ok).toBe(true);
      expect(before.tables.tasks!.length).toBeGreaterThan(5);
    });

    it('refuses a wrong passphrase, a damaged archive and a non-empty target', async () => {
      const archive = sealArchive(await collectBackup(source.database, filesDir, new Date()), PASSPHRASE);
      expect(() => openArchive(archive, 'pas la bonne phrase')).toThrow(/Phrase de passe incorrecte/);
      const damaged = Buffer.from(archive);
      damaged[damaged.length - 3]! ^= 0xff;
      expect(() => openArchive(damaged, PASSPHRASE)).toThrow(/altérée/);
      expect(() => openArchive(Buffer.from('PK\u0003\u0004 pas une sauvegarde, assez long pour passer le seuil'), PASSPHRASE)).toThrow(/RMPBK1/);
      await expect(restoreBackup(target.database, filesDir, openArchive(archive, PASSPHRASE))).rejects.toThrow(/vide/);
    });
  });
}
