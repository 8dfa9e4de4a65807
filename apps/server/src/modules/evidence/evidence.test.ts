import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '@rempart/db';
import { createWorld, signIn, type Client, type TestWorld } from '../../testing.ts';

function multipart(parts: { name: string; filename?: string; type?: string; data: Buffer | string }[]) {
  const boundary = '----rempart-test-boundary';
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`));
    chunks.push(Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

for (const backend of testBackends()) {
  describe.skipIf(backend.skipReason)(`incident evidence on ${backend.name}`, () => {
    let world: TestWorld;
    let rssi: Client;
    let base: string;
    const upload = (client: Client, parts: Parameters<typeof multipart>[0]) => {
      const body = multipart(parts);
      return world.app.inject({ method: 'POST', url: `${base}/evidence`, payload: body.payload, headers: { cookie: client.cookie, 'x-csrf-token': client.csrf, 'content-type': body.contentType } });
    };
    beforeAll(async () => {
      world = await createWorld(backend, { maxUploadMb: 1 });
      rssi = await signIn(world, world.users.rssi);
      const incident = await rssi.request('POST', `/api/v1/organisations/${world.orgA}/incidents`, {
        type: 'rancongiciel', title: 'Rançongiciel', awareAt: new Date().toISOString(), personalData: { involved: false, categories: [] },
      });
      base = `/api/v1/organisations/${world.orgA}/incidents/${incident.json().id}`;
    });
    afterAll(async () => world?.close());

    it('stores a piece encrypted, with its SHA-256, and gives it back intact', async () => {
      const content = Buffer.from('horodatage;utilisateur;action\n2026-03-19T02:14:00Z;agent42;export 1200 lignes\n', 'utf8');
      const r = await upload(rssi, [
        { name: 'description', data: 'Export des journaux fourni par l’éditeur' },
        { name: 'file', filename: '../../journaux éditeur.csv', type: 'text/csv', data: content },
      ]);
      expect(r.statusCode).toBe(201);
      const piece = r.json();
      expect(piece).toMatchObject({ name: 'journaux éditeur.csv', size: content.length, sha256: createHash('sha256').update(content).digest('hex'), uploadedByName: 'Test rssi' });
      const stored = await readdir(path.join(world.services.config.dataDir, 'files', 'evidence', world.orgA));
      const raw = await readFile(path.join(world.services.config.dataDir, 'files', 'evidence', world.orgA, stored[0]!));
      expect(raw.includes(Buffer.from('agent42'))).toBe(false);
      const download = await rssi.request('GET', `${base}/evidence/${piece.id}`);
      expect(download.statusCode).toBe(200);
      expect(download.rawPayload.equals(content)).toBe(true);
      expect(download.headers['x-content-sha256']).toBe(piece.sha256);
      expect((await rssi.request('GET', `${base}/evidence`)).json()).toHaveLength(1);
    });

    it('refuses an empty upload, a non-multipart body and a file over the limit, leaving nothing behind', async () => {
      expect((await upload(rssi, [{ name: 'description', data: 'rien' }])).statusCode).toBe(400);
      expect((await rssi.request('POST', `${base}/evidence`, { file: 'pas un fichier' })).statusCode).toBe(400);
      const big = await upload(rssi, [{ name: 'file', filename: 'gros.bin', data: Buffer.alloc(1_200_000, 1) }]);
      expect(big.statusCode).toBe(413);
      expect(big.json().message).toContain('1 Mo');
      expect((await rssi.request('GET', `${base}/evidence`)).json()).toHaveLength(1);
    });

    it('detects a piece altered in storage instead of serving it', async () => {
      const [piece] = (await rssi.request('GET', `${base}/evidence`)).json();
      const dir = path.join(world.services.config.dataDir, 'files', 'evidence', world.orgA);
      const [file] = await readdir(dir);
      const sealed = await readFile(path.join(dir, file!));
      sealed[sealed.length - 2]! ^= 0x55;
      await writeFile(path.join(dir, file!), sealed);
      const r = await rssi.request('GET', `${base}/evidence/${piece.id}`);
      expect(r.statusCode).toBe(409);
      expect(r.json().code).toBe('evidence_unreadable');
    });

    it('keeps pieces out of reach of readers and other organisations', async () => {
      const lecteur = await signIn(world, world.users.lecteur);
      expect((await lecteur.request('GET', `${base}/evidence`)).statusCode).toBe(403);
      const outsider = await signIn(world, world.outsider);
      expect((await outsider.request('GET', `${base}/evidence`)).statusCode).toBe(404);
    });
  });
}
