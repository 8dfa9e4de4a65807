import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '@rempart/db';
import { createWorld, signIn, type Client, type TestWorld } from '../../testing.ts';
import { previewText, purgeExpiredDatasets, readDataset } from './service.ts';

const CSV = 'ID ligne;N° dossier;Module;Nom;Prénom;Téléphone;Absence du;Absence au\r\n1;MC-2024-001;OTV;Lefèvre;Hélène;06 12 34 56 78;01/08/2024;20/08/2024\r\n';

function multipart(parts: { name: string; filename?: string; data: Buffer | string }[]) {
  const boundary = '----rempart-dataset';
  const body = Buffer.concat(parts.flatMap((p) => [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n\r\n`),
    Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data), Buffer.from('\r\n'),
  ]).concat([Buffer.from(`--${boundary}--\r\n`)]));
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

for (const backend of testBackends()) {
  describe.skipIf(backend.skipReason)(`leaked datasets on ${backend.name}`, () => {
    let world: TestWorld;
    let dpo: Client;
    let base: string;
    const upload = (parts: Parameters<typeof multipart>[0]) => {
      const m = multipart(parts);
      return world.app.inject({ method: 'POST', url: `${base}/datasets`, payload: m.body, headers: { cookie: dpo.cookie, 'x-csrf-token': dpo.csrf, 'content-type': m.type } });
    };
    beforeAll(async () => {
      world = await createWorld(backend);
      dpo = await signIn(world, world.users.dpo);
      const incident = await dpo.request('POST', `/api/v1/organisations/${world.orgA}/incidents`, {
        type: 'exfiltration', title: 'Fuite', awareAt: new Date().toISOString(), personalData: { involved: true, categories: ['identité'] },
      });
      base = `/api/v1/organisations/${world.orgA}/incidents/${incident.json().id}`;
    });
    afterAll(async () => world?.close());

    it('imports a Windows-1252 extract encrypted under its own key and previews it in the right encoding', async () => {
      const r = await upload([{ name: 'retentionDays', data: '30' }, { name: 'file', filename: 'extraction PM.csv', data: iconv.encode(CSV, 'win1252') }]);
      expect(r.statusCode).toBe(201);
      const dataset = r.json();
      expect(new Date(dataset.retentionUntil).getTime() - world.clock.now.getTime()).toBe(30 * 86_400_000);
      const dir = path.join(world.services.config.dataDir, 'files', 'datasets', world.orgA);
      const sealed = await readFile(path.join(dir, (await readdir(dir))[0]!));
      expect(sealed.includes(Buffer.from('Lef'))).toBe(false);
      const row = await world.services.db.selectFrom('leaked_datasets').select('wrapped_key').where('id', '=', dataset.id).executeTakeFirstOrThrow();
      expect(row.wrapped_key).toMatch(/^v1\./);
      const preview = await dpo.request('GET', `${base}/datasets/${dataset.id}/preview`);
      expect(preview.json()).toMatchObject({ encoding: 'windows-1252', delimiter: ';' });
      expect(preview.json().lines[1].text).toContain('Lefèvre;Hélène');
      const trail = await world.services.db.selectFrom('audit_log').select(['action', 'object_id']).where('object_id', '=', dataset.id).execute();
      expect(trail.map((t) => t.action)).toEqual(['dataset.import', 'read']);
    });

    it('refuses a bad retention, an empty file, and keeps extracts from readers, agents and other organisations', async () => {
      const bad = await upload([{ name: 'retentionDays', data: '5000' }, { name: 'file', filename: 'x.csv', data: CSV }]);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().details[0].path).toBe('retentionDays');
      expect((await upload([{ name: 'file', filename: 'vide.csv', data: '' }])).statusCode).toBe(400);
      expect((await (await signIn(world, world.users.agent)).request('GET', `${base}/datasets`)).statusCode).toBe(403);
      expect((await (await signIn(world, world.outsider)).request('GET', `${base}/datasets`)).statusCode).toBe(404);
    });

    it('purges for good: the key is wiped, so even a surviving copy of the file is unreadable', async () => {
      const [dataset] = (await dpo.request('GET', `${base}/datasets`)).json();
      const dir = path.join(world.services.config.dataDir, 'files', 'datasets', world.orgA);
      const copy = await readFile(path.join(dir, (await readdir(dir))[0]!));
      const purged = await dpo.request('POST', `${base}/datasets/${dataset.id}/purge`, { reason: 'Campagne de notification terminée' });
      expect(purged.json()).toMatchObject({ purgeReason: 'Campagne de notification terminée' });
      expect(await readdir(dir)).toEqual([]);
      // An old copy put back (a backup, a disk image) cannot be read any more.
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, `${dataset.id}.enc`), copy);
      await expect(readDataset(world.services, world.orgA, dataset.id)).rejects.toThrow(/purgé/);
      expect((await dpo.request('GET', `${base}/datasets/${dataset.id}/preview`)).statusCode).toBe(410);
    });

    it('purges what outlives its retention date', async () => {
      const r = await upload([{ name: 'retentionDays', data: '1' }, { name: 'file', filename: 'court.csv', data: CSV }]);
      expect(await purgeExpiredDatasets(world.services)).toBe(0);
      world.clock.now = new Date(world.clock.now.getTime() + 2 * 86_400_000);
      expect(await purgeExpiredDatasets(world.services)).toBe(1);
      const row = await world.services.db.selectFrom('leaked_datasets').selectAll().where('id', '=', r.json().id).executeTakeFirstOrThrow();
      expect(row.purge_reason).toBe('durée de conservation échue');
      expect(row.wrapped_key).toBeNull();
    });
  });
}

describe('extract preview', () => {
  it('reads UTF-8 with BOM and CRLF, and never splits a character at the cut', () => {
    const text = `\ufeffNom,Prénom\r\n${'é'.repeat(200_000)}\r\n`;
    const p = previewText(Buffer.from(text, 'utf8'));
    expect(p.encoding).toBe('utf-8');
    expect(p.delimiter).toBe(',');
    expect(p.lines[0]!.text).toBe('Nom,Prénom');
    expect(p.truncated).toBe(true);
  });
});
