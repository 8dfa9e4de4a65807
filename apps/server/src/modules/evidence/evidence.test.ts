import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { get as httpGet } from 'node:http';
import { connect } from 'node:net';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '@rempart/db';
import { sealBuffer } from '../../platform/keys.ts';
import { SealStream } from '../../platform/sealed-stream.ts';
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
    const ids: Record<string, string> = {};
    let address: string | null = null;
    const listening = async () => (address ??= await world.app.listen({ port: 0, host: '127.0.0.1' }));
    /** A GET over real HTTP: whether the body arrived whole (its announced length, no abort). */
    const rawGet = (url: string, cookie: string) => new Promise<{ status: number; body: Buffer; complete: boolean }>((resolve, reject) => {
      const req = httpGet(url, { headers: { cookie } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        const done = () => { const body = Buffer.concat(chunks); resolve({ status: res.statusCode!, body, complete: res.complete && body.length === Number(res.headers['content-length']) }); };
        res.on('end', done);
        res.on('aborted', done);
        res.on('error', done);
      });
      req.on('error', reject);
    });
    const upload = (client: Client, parts: Parameters<typeof multipart>[0]) => {
      const body = multipart(parts);
      return world.app.inject({ method: 'POST', url: `${base}/evidence`, payload: body.payload, headers: { cookie: client.cookie, 'x-csrf-token': client.csrf, 'content-type': body.contentType } });
    };
    beforeAll(async () => {
      world = await createWorld(backend, { maxEvidenceMb: 21 });
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
      const big = await upload(rssi, [{ name: 'file', filename: 'gros.bin', data: Buffer.alloc(22 * 1024 * 1024, 1) }]);
      expect(big.statusCode).toBe(413);
      expect(big.json().message).toBe('Fichier trop volumineux : 21 Mo au plus par fichier (limite fixée par l’exploitant avec REMPART_MAX_EVIDENCE_MB).');
      const two = await upload(rssi, [{ name: 'file', filename: 'a.txt', data: 'a' }, { name: 'file', filename: 'b.txt', data: 'b' }]);
      expect(two.statusCode).toBe(400);
      expect((await rssi.request('GET', `${base}/evidence`)).json()).toHaveLength(1);
      // No sealed file is left behind by a refused upload.
      expect(await readdir(path.join(world.services.config.dataDir, 'files', 'evidence', world.orgA))).toHaveLength(1);
    });

    it('streams a 20 MB piece in and out, sealed in chunks, and still reads a piece of the first format', async () => {
      const content = Buffer.alloc(20 * 1024 * 1024);
      for (let i = 0; i < content.length; i += 4) content.writeUInt32LE((i * 2654435761) >>> 0, i);
      const r = await upload(rssi, [{ name: 'file', filename: 'gros.log', data: content }]);
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ size: content.length, sha256: createHash('sha256').update(content).digest('hex') });
      const raw = await readFile(path.join(world.services.config.dataDir, 'files', 'evidence', world.orgA, `${r.json().id}.enc`));
      expect(raw.subarray(0, 3).toString()).toBe('RB2');
      const download = await rssi.request('GET', `${base}/evidence/${r.json().id}`);
      expect(download.statusCode).toBe(200);
      expect(download.headers['content-length']).toBe(String(content.length));
      expect(download.rawPayload.equals(content)).toBe(true);
      // A piece stored before chunked sealing (one GCM message) is served as before.
      const [old] = (await rssi.request('GET', `${base}/evidence`)).json();
      const oldFile = path.join(world.services.config.dataDir, 'files', 'evidence', world.orgA, `${old.id}.enc`);
      const original = Buffer.from('horodatage;utilisateur;action\n2026-03-19T02:14:00Z;agent42;export 1200 lignes\n', 'utf8');
      await writeFile(oldFile, sealBuffer(world.services.keys.fileKey, original, `evidence:${world.orgA}:${old.id}`));
      const oldDownload = await rssi.request('GET', `${base}/evidence/${old.id}`);
      expect(oldDownload.statusCode).toBe(200);
      expect(oldDownload.rawPayload.equals(original)).toBe(true);
      ids.big = r.json().id;
    });

    it('decrypts a download once: refused when its start is altered, cut short (a genuine prefix, never a whole file) when an alteration comes later', async () => {
      const file = path.join(world.services.config.dataDir, 'files', 'evidence', world.orgA, `${ids.big}.enc`);
      const pristine = await readFile(file);
      const original = (await rssi.request('GET', `${base}/evidence/${ids.big}`)).rawPayload;
      expect(original.length).toBe(20 * 1024 * 1024);
      const record = 64 * 1024 + 16;
      const header = 39;
      const flip = (at: number) => { const b = Buffer.from(pristine); b[at]! ^= 0x55; return b; };
      const swap = (i: number) => Buffer.concat([pristine.subarray(0, header + i * record), pristine.subarray(header + (i + 1) * record, header + (i + 2) * record), pristine.subarray(header + i * record, header + (i + 1) * record), pristine.subarray(header + (i + 2) * record)]);
      // Decryptions of the piece, counted where the sealed file is read.
      const real = world.services.files;
      let reads = 0;
      world.services.files = { ...real, getStream: (key) => { reads++; return real.getStream(key); } };
      try {
        // Altered at the start or gone: refused before anything is sent.
        for (const [name, bytes] of Object.entries({ firstChunkFlipped: flip(header + 10), firstChunksSwapped: swap(0), headerOnly: pristine.subarray(0, header) })) {
          await writeFile(file, bytes);
          const r = await rssi.request('GET', `${base}/evidence/${ids.big}`);
          expect(r.statusCode, name).toBe(409);
          expect(r.json().code, name).toBe('evidence_unreadable');
          expect(r.json().message, name).toMatch(/^Pièce « gros\.log » illisible : le fichier a été altéré ou supprimé du stockage \((bloc \d+ altéré|fichier tronqué)/);
        }
        // Altered further on: the transfer stops at the altered chunk, over real HTTP as a browser sees it.
        const address = await listening();
        const cases = { flipped: flip(pristine.length - 2), swapped: swap(100), truncated: pristine.subarray(0, pristine.length - 1000), lastChunkDropped: pristine.subarray(0, header + 319 * record) };
        for (const [name, bytes] of Object.entries(cases)) {
          await writeFile(file, bytes);
          reads = 0;
          const got = await rawGet(`${address}${base}/evidence/${ids.big}`, rssi.cookie);
          expect(got.status, name).toBe(200);
          expect(got.complete, name).toBe(false);
          expect(got.body.length, name).toBeLessThan(original.length);
          expect(got.body.equals(original.subarray(0, got.body.length)), name).toBe(true);
          expect(reads, name).toBe(1);
        }
        // Sealed with the right key, but not the bytes hashed at upload (only someone holding the key could
        // do this): every chunk authenticates, the whole-file hash does not, and the last chunk is held back.
        const forged = Buffer.from(original);
        forged[5 * 1024 * 1024]! ^= 1;
        const sealer = new SealStream(world.services.keys.fileKey, `evidence:${world.orgA}:${ids.big}`);
        const sealedChunks: Buffer[] = [];
        sealer.on('data', (c: Buffer) => sealedChunks.push(c));
        sealer.end(forged);
        await once(sealer, 'end');
        await writeFile(file, Buffer.concat(sealedChunks));
        const mismatch = await rawGet(`${address}${base}/evidence/${ids.big}`, rssi.cookie);
        expect(mismatch.complete).toBe(false);
        expect(mismatch.body.length).toBeLessThan(original.length);
        await writeFile(file, pristine);
        reads = 0;
        const whole = await rawGet(`${address}${base}/evidence/${ids.big}`, rssi.cookie);
        expect(whole).toMatchObject({ status: 200, complete: true });
        expect(whole.body.equals(original)).toBe(true);
        expect(reads).toBe(1);
      } finally {
        world.services.files = real;
        await writeFile(file, pristine);
      }
    });

    it('leaves nothing behind when the connection drops in the middle of an upload', async () => {
      const dir = path.join(world.services.config.dataDir, 'files', 'evidence', world.orgA);
      const filesBefore = await readdir(dir);
      const piecesBefore = (await rssi.request('GET', `${base}/evidence`)).json().length;
      const address = await listening();
      const boundary = '----rempart-cut';
      const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="coupe.log"\r\nContent-Type: text/plain\r\n\r\n`;
      const url = new URL(`${address}${base}/evidence`);
      const socket = connect(Number(url.port), url.hostname);
      await once(socket, 'connect');
      socket.write(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nCookie: ${rssi.cookie}\r\nX-CSRF-Token: ${rssi.csrf}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n${head}`);
      // Several chunks' worth of the file arrive (a sealed file is being written), then the line is cut.
      for (let i = 0; i < 8; i++) socket.write(Buffer.alloc(256 * 1024, 0x61));
      await expect.poll(async () => (await readdir(dir)).length, { interval: 20, timeout: 10_000 }).toBe(filesBefore.length + 1);
      socket.destroy();
      await expect.poll(async () => (await readdir(dir)).length, { interval: 20, timeout: 10_000 }).toBe(filesBefore.length);
      expect((await rssi.request('GET', `${base}/evidence`)).json()).toHaveLength(piecesBefore);
    });

    it('keeps pieces out of reach of readers and other organisations', async () => {
      const lecteur = await signIn(world, world.users.lecteur);
      expect((await lecteur.request('GET', `${base}/evidence`)).statusCode).toBe(403);
      const outsider = await signIn(world, world.outsider);
      expect((await outsider.request('GET', `${base}/evidence`)).statusCode).toBe(404);
    });
  });
}
