import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '@rempart/db';
import { createWorld, signIn, type Client, type TestWorld } from '../../testing.ts';
import { FIXTURE_VICTIM, fixtureEvents, fixtureNdjson, fixtureVendorCsv } from './fixture.ts';
import { MAPPING_PRESETS } from './presets.ts';
import { scanFailure } from './service.ts';
import { AppError } from '../../platform/errors.ts';

function multipart(filename: string, data: Buffer | string) {
  const boundary = '----rempart-forensics-boundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\nJournaux de l’éditeur\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    Buffer.isBuffer(data) ? data : Buffer.from(data),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` };
}

const events = fixtureEvents();
const ndjson = fixtureNdjson(events);
const vendorCsv = fixtureVendorCsv(events);

for (const backend of testBackends()) {
  describe.skipIf(backend.skipReason)(`forensics in an incident on ${backend.name}`, () => {
    let world: TestWorld;
    let rssi: Client;
    let outsider: Client;
    let base: string;
    let importDir: string;
    const ids: Record<string, string> = {};

    const upload = async (client: Client, name: string, data: Buffer | string) => {
      const body = multipart(name, data);
      const r = await world.app.inject({ method: 'POST', url: `${base}/evidence`, payload: body.payload, headers: { cookie: client.cookie, 'x-csrf-token': client.csrf, 'content-type': body.contentType } });
      expect(r.statusCode, r.body).toBe(201);
      return r.json().id as string;
    };
    const scan = async (body: Record<string, unknown>) => {
      const r = await rssi.request('POST', `${base}/forensics/scans`, body);
      expect(r.statusCode, r.body).toBe(202);
      await world.app.jobs.drain();
      return (await rssi.request('GET', `${base}/forensics/scans/${r.json().id}`)).json();
    };

    beforeAll(async () => {
      world = await createWorld(backend, { maxUploadMb: 40 });
      importDir = await mkdtemp(path.join(tmpdir(), 'rempart-import-'));
      world.services.config.logImportDir = importDir;
      rssi = await signIn(world, world.users.rssi);
      outsider = await signIn(world, world.outsider);
      const incident = await rssi.request('POST', `/api/v1/organisations/${world.orgA}/incidents`, {
        type: 'compromission_compte', title: 'Compte de police municipale compromis', awareAt: new Date().toISOString(), personalData: { involved: true, categories: ['identité'] },
      });
      base = `/api/v1/organisations/${world.orgA}/incidents/${incident.json().id}`;
      ids.ndjson = await upload(rssi, 'journaux.ndjson', ndjson);
      ids.csv = await upload(rssi, 'export-editeur.csv', vendorCsv);
      ids.garbage = await upload(rssi, 'binaire.csv', Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 256)));
      ids.truncated = await upload(rssi, 'coupe.ndjson.gz', gzipSync(Buffer.from(ndjson)).subarray(0, 3000));
    }, 60_000);
    afterAll(async () => world?.close());

    it('previews the canonical file and the Windows-1252 vendor CSV with its preset', async () => {
      const canonical = (await rssi.request('POST', `${base}/forensics/preview`, { evidenceId: ids.ndjson, preset: 'ecs' })).json();
      expect(canonical.ok).toBe(true);
      expect(canonical.events).toHaveLength(20);
      expect(canonical.events[0]).toMatchObject({ line: 1, 'user.name': expect.any(String), '@timestamp': expect.stringMatching(/\+01:00$/) });
      const vendor = (await rssi.request('POST', `${base}/forensics/preview`, { evidenceId: ids.csv, preset: 'editeur_fr' })).json();
      expect(vendor.ok).toBe(true);
      expect(vendor.columns).toContain('Résultat');
      expect(vendor.events[0]).toMatchObject({ line: 2, 'event.action': 'login', 'event.outcome': 'success', '@timestamp': canonical.events[0]['@timestamp'] });
    });

    it('explains a wrong mapping in French, naming the column or the YAML line', async () => {
      const wrongColumn = (await rssi.request('POST', `${base}/forensics/preview`, {
        evidenceId: ids.csv, mapping: 'format: csv\ndelimiter: ";"\ntimestamp: { fields: [Date, Heure], format: "dd/MM/yyyy HH:mm:ss" }\nfields:\n  user.name: Identifiant\n',
      })).json();
      expect(wrongColumn.ok).toBe(false);
      expect(wrongColumn.errors[0].message).toMatch(/Identifiant/);
      expect(wrongColumn.columns).toContain('Utilisateur');
      const badYaml = (await rssi.request('POST', `${base}/forensics/preview`, { evidenceId: ids.csv, mapping: 'format: csv\nfields: [\n' })).json();
      expect(badYaml.errors[0]).toMatchObject({ line: expect.any(Number), message: expect.stringMatching(/YAML/) });
      const badDate = (await rssi.request('POST', `${base}/forensics/preview`, {
        evidenceId: ids.csv, mapping: 'format: csv\ndelimiter: ";"\nencoding: windows-1252\ntimestamp: { fields: [Date, Heure], format: "yyyy-MM-dd HH:mm" }\nfields:\n  user.name: Utilisateur\n',
      })).json();
      expect(badDate.ok).toBe(false);
      expect(badDate.rejected[0]).toMatchObject({ line: 2, field: '@timestamp' });
      expect(badDate.rejected[0].message).toMatch(/date/i);
    });

    it('rejects garbage and a truncated gzip with a located French reason, never a crash', async () => {
      const garbage = await rssi.request('POST', `${base}/forensics/preview`, { evidenceId: ids.garbage, preset: 'ecs' });
      expect(garbage.statusCode).toBe(200);
      expect(garbage.json().ok).toBe(false);
      expect(garbage.json().errors[0].message).toMatch(/^binaire\.csv, ligne 1, champ @timestamp : colonne « @timestamp » absente/);
      const truncated = await rssi.request('POST', `${base}/forensics/preview`, { evidenceId: ids.truncated, preset: 'ecs' });
      expect(truncated.statusCode).toBe(200);
      expect(truncated.json().events.length).toBeGreaterThan(0);
      const failed = (await rssi.request('POST', `${base}/forensics/scans`, { evidenceIds: [ids.truncated], preset: 'ecs' })).json();
      await world.app.jobs.drain();
      const after = (await rssi.request('GET', `${base}/forensics/scans/${failed.id}`)).json();
      expect(after.status).toBe('failed');
      expect(after.error).toMatch(/^Analyse arrêtée : coupe\.ndjson\.gz : .*gzip corrompue/);
      const empty = await rssi.request('POST', `${base}/forensics/scans`, { evidenceIds: [], preset: 'ecs' });
      expect(empty.statusCode).toBe(400);
      const both = await rssi.request('POST', `${base}/forensics/scans`, { evidenceIds: [ids.ndjson], preset: 'ecs', mapping: 'format: csv' });
      expect(both.statusCode).toBe(400);
      const wrong = await rssi.request('POST', `${base}/forensics/scans`, { evidenceIds: [ids.ndjson], mapping: 'formt: csv' });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json().details[0].message).toMatch(/clé inconnue : formt/);
    });

    it('scans the vendor CSV as a job: flags the victim, files the report as hashed evidence, seals the findings', async () => {
      const result = await scan({ evidenceIds: [ids.csv], preset: 'editeur_fr' });
      expect(result.status).toBe('done');
      expect(result.progress.percent).toBe(100);
      expect(result.summary).toMatchObject({ accepted: events.length, rejected: 0, flagged: { critical: 1 } });
      expect(result.accounts[0]).toMatchObject({ account: FIXTURE_VICTIM, severity: 'critical' });
      expect(result.accounts[0].summary).toMatch(/^Gravité critique/);
      expect(result.accounts[0].findings.map((f: { rule: string }) => f.rule)).toContain('spraying');
      expect(result.series[FIXTURE_VICTIM].length).toBeGreaterThan(20);
      const report = await rssi.request('GET', `${base}/evidence/${result.report.evidenceId}`);
      expect(report.statusCode).toBe(200);
      expect(createHash('sha256').update(report.rawPayload).digest('hex')).toBe(result.report.sha256);
      expect(report.rawPayload.toString()).toContain(FIXTURE_VICTIM);
      const row = await world.services.db.selectFrom('forensic_scans').selectAll().where('id', '=', result.id).executeTakeFirstOrThrow();
      expect(row.findings_enc).not.toContain(FIXTURE_VICTIM);
      expect(JSON.stringify(row.summary)).not.toContain(FIXTURE_VICTIM);
      const reads = await world.services.db.selectFrom('audit_log').select(['action', 'object_type']).where('object_id', '=', result.id).execute();
      expect(reads).toContainEqual({ action: 'read', object_type: 'forensic_scan' });
      ids.scan = result.id;
      // The private folder is gone.
      expect(await readdir(path.join(world.services.config.dataDir, 'tmp'))).toEqual([]);
    }, 60_000);

    it('turns a flagged account into tasks and a journal entry, once', async () => {
      const first = await rssi.request('POST', `${base}/forensics/scans/${ids.scan}/actions`, { account: FIXTURE_VICTIM });
      expect(first.statusCode, first.body).toBe(200);
      expect(first.json()).toMatchObject({ createdTasks: 3, journalCreated: true });
      const titles = first.json().tasks.map((t: { title: string }) => t.title);
      expect(titles).toEqual([`Désactiver le compte ${FIXTURE_VICTIM}`, `Réinitialiser le mot de passe de ${FIXTURE_VICTIM}`, `Vérifier les exports de ${FIXTURE_VICTIM} du 02/05/2024 au 02/05/2024`]);
      const [again, concurrent] = await Promise.all([
        rssi.request('POST', `${base}/forensics/scans/${ids.scan}/actions`, { account: FIXTURE_VICTIM }),
        rssi.request('POST', `${base}/forensics/scans/${ids.scan}/actions`, { account: FIXTURE_VICTIM }),
      ]);
      expect(again.json()).toMatchObject({ createdTasks: 0, journalCreated: false });
      expect(concurrent.json()).toMatchObject({ createdTasks: 0, journalCreated: false });
      const tasks = (await rssi.request('GET', `${base}/tasks`)).json().filter((t: { title: string }) => t.title.includes(FIXTURE_VICTIM));
      expect(tasks).toHaveLength(3);
      const journal = (await rssi.request('GET', `${base}/journal`)).json().filter((e: { text: string }) => e.text.includes(FIXTURE_VICTIM));
      expect(journal).toHaveLength(1);
      expect(journal[0].text).toMatch(/SHA-256 [0-9a-f]{64}/);
      const unknown = await rssi.request('POST', `${base}/forensics/scans/${ids.scan}/actions`, { account: 'personne' });
      expect(unknown.statusCode).toBe(404);
    });

    it('keeps values read from the logs out of jobs.error: the located kind of problem in clear, the engine’s words sealed', async () => {
      // An export without its header line: the first log line is taken for the header.
      const headerless = vendorCsv.subarray(vendorCsv.indexOf(0x0a) + 1);
      const firstLine = headerless.subarray(0, headerless.indexOf(0x0a)).toString('latin1').trim();
      const values = firstLine.split(';').filter((v) => v.length > 3);
      expect(values.length).toBeGreaterThan(3);
      const piece = await upload(rssi, 'sans-entete.csv', headerless);
      const started = (await rssi.request('POST', `${base}/forensics/scans`, { evidenceIds: [piece], preset: 'editeur_fr' })).json();
      await world.app.jobs.drain();
      const failed = (await rssi.request('GET', `${base}/forensics/scans/${started.id}`)).json();
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/^Analyse arrêtée : sans-entete\.csv, ligne 1, champ [\w.@]+ : colonne « \w+ » absente de l’en-tête\./);
      const job = await world.services.db.selectFrom('jobs').select('error').where('id', '=', (await world.services.db.selectFrom('forensic_scans').select('job_id').where('id', '=', started.id).executeTakeFirstOrThrow()).job_id!).executeTakeFirstOrThrow();
      expect(job.error).toBe(failed.error);
      for (const value of values) expect(job.error, value).not.toContain(value);
      // The full reason, header included, is sealed on the scan and its reading is traced.
      expect(failed.errorDetail).toContain('Colonnes présentes');
      expect(failed.errorDetail).toContain(values[1]);
      const row = await world.services.db.selectFrom('forensic_scans').select('error_enc').where('id', '=', started.id).executeTakeFirstOrThrow();
      for (const value of values) expect(row.error_enc, value).not.toContain(value);
      const reads = await world.services.db.selectFrom('audit_log').select(['action', 'object_type']).where('object_id', '=', started.id).execute();
      expect(reads).toContainEqual({ action: 'read', object_type: 'forensic_scan_error' });
      // The list (no audited read) shows the clear text only.
      const listed = (await rssi.request('GET', `${base}/forensics/scans`)).json().find((s: { id: string }) => s.id === started.id);
      expect(listed).toMatchObject({ error: failed.error, hasErrorDetail: true });
      expect(listed.errorDetail).toBeUndefined();
    });

    it('refuses to scan or preview a piece altered in storage', async () => {
      const piece = await upload(rssi, 'altere.ndjson', ndjson);
      const file = path.join(world.services.config.dataDir, 'files', 'evidence', world.orgA, `${piece}.enc`);
      const sealed = await readFile(file);
      sealed[100]! ^= 1;
      await writeFile(file, sealed);
      const preview = await rssi.request('POST', `${base}/forensics/preview`, { evidenceId: piece, preset: 'ecs' });
      expect(preview.statusCode).toBe(409);
      expect(preview.json().message).toMatch(/^Pièce « altere\.ndjson » illisible : .*bloc 0 altéré/);
      const started = (await rssi.request('POST', `${base}/forensics/scans`, { evidenceIds: [piece], preset: 'ecs' })).json();
      await world.app.jobs.drain();
      const failed = (await rssi.request('GET', `${base}/forensics/scans/${started.id}`)).json();
      expect(failed).toMatchObject({ status: 'failed', report: null, errorDetail: null });
      expect(failed.error).toMatch(/^Pièce « altere\.ndjson » illisible/);
      expect(await readdir(path.join(world.services.config.dataDir, 'tmp'))).toEqual([]);
    });

    it('says an engine failure in fixed words, its message sealed', () => {
      const line = '{"@timestamp":"2024-05-02T03:12:00+02:00","user":{"name":"c.durand"},"source":{"ip":"203.0.113.9"}}';
      const failure = scanFailure(new Error(`Invalid Input Error: Malformed JSON at line 3: ${line}`));
      expect(failure.text).toBe('Analyse impossible : le moteur d’analyse a rencontré une erreur (détail chiffré, lisible dans l’analyse).');
      expect(failure.detail).toContain(line);
      expect(scanFailure(new AppError('evidence_unreadable', 409, 'Pièce « a.csv » illisible.'))).toEqual({ text: 'Pièce « a.csv » illisible.', detail: null });
    });

    it('scans canonical NDJSON over a period and can be cancelled', async () => {
      const result = await scan({ evidenceIds: [ids.ndjson], preset: 'ecs', since: '2024-04-01', until: '2024-05-02' });
      expect(result.status).toBe('done');
      expect(result.summary.outsidePeriod).toBeGreaterThan(0);
      const queued = (await rssi.request('POST', `${base}/forensics/scans`, { evidenceIds: [ids.ndjson], preset: 'ecs' })).json();
      expect((await rssi.request('POST', `${base}/forensics/scans/${queued.id}/cancel`)).json()).toEqual({ cancelled: true });
      await world.app.jobs.drain();
      expect((await rssi.request('GET', `${base}/forensics/scans/${queued.id}`)).json().status).toBe('cancelled');
    }, 60_000);

    it('stops a running scan on cancel: no report filed, private folder removed', async () => {
      const big = await upload(rssi, 'annee.ndjson', fixtureNdjson(fixtureEvents({ days: 400 })));
      const piecesBefore = (await rssi.request('GET', `${base}/evidence`)).json().length;
      const started = (await rssi.request('POST', `${base}/forensics/scans`, { evidenceIds: [big], preset: 'ecs' })).json();
      const draining = world.app.jobs.drain();
      await expect.poll(async () => (await rssi.request('GET', `${base}/forensics/scans/${started.id}`)).json().status, { interval: 20, timeout: 20_000 }).toBe('running');
      expect((await rssi.request('POST', `${base}/forensics/scans/${started.id}/cancel`)).json()).toEqual({ cancelled: true });
      await draining;
      const after = (await rssi.request('GET', `${base}/forensics/scans/${started.id}`)).json();
      expect(after).toMatchObject({ status: 'cancelled', report: null, summary: null, accounts: [] });
      expect((await rssi.request('GET', `${base}/evidence`)).json()).toHaveLength(piecesBefore);
      expect(await readdir(path.join(world.services.config.dataDir, 'tmp'))).toEqual([]);
    }, 60_000);

    it('imports from the operator folder only, refusing traversal and links out of it', async () => {
      const missing = await rssi.request('GET', `/api/v1/organisations/${world.orgA}/forensics/import-folder`);
      expect(missing.statusCode).toBe(409);
      expect(missing.json().message).toContain(world.orgA);
      const own = path.join(importDir, world.orgA);
      await mkdir(path.join(own, 'mars'), { recursive: true });
      await writeFile(path.join(own, 'mars', 'police.ndjson'), ndjson);
      await writeFile(path.join(own, 'vide.csv'), '');
      // Another organisation's sub-folder is outside this one's reach.
      await mkdir(path.join(importDir, world.orgB));
      await writeFile(path.join(importDir, world.orgB, 'b.ndjson'), ndjson);
      const outside = await mkdtemp(path.join(tmpdir(), 'rempart-outside-'));
      await writeFile(path.join(outside, 'secret.txt'), 'secret');
      await symlink(path.join(outside, 'secret.txt'), path.join(own, 'lien.txt'));
      const listing = (await rssi.request('GET', `/api/v1/organisations/${world.orgA}/forensics/import-folder`)).json();
      expect(listing.files.map((f: { path: string }) => f.path)).toEqual(['mars/police.ndjson', 'vide.csv']);
      const before = (await rssi.request('GET', `${base}/evidence`)).json().length;
      for (const bad of ['../' + path.basename(outside) + '/secret.txt', `../${world.orgB}/b.ndjson`, 'lien.txt', path.join(outside, 'secret.txt'), 'vide.csv', 'absent.csv', 'mars']) {
        const r = await rssi.request('POST', `${base}/forensics/import-folder`, { files: ['mars/police.ndjson', bad] });
        expect(r.statusCode, bad).toBe(400);
        expect(r.json().details[0].message).toMatch(/refusé|introuvable|vide|pas un fichier/);
      }
      expect((await rssi.request('GET', `${base}/evidence`)).json()).toHaveLength(before);
      const ok = await rssi.request('POST', `${base}/forensics/import-folder`, { files: ['mars/police.ndjson'] });
      expect(ok.statusCode).toBe(201);
      expect(ok.json()[0]).toMatchObject({ name: 'police.ndjson', sha256: createHash('sha256').update(ndjson).digest('hex') });
      world.services.config.logImportDir = undefined;
      const off = await rssi.request('GET', `/api/v1/organisations/${world.orgA}/forensics/import-folder`);
      expect(off.statusCode).toBe(409);
      expect(off.json().message).toMatch(/n'est pas configuré.*REMPART_LOG_IMPORT_DIR/);
      world.services.config.logImportDir = importDir;
    });

    it('saves mappings per organisation, checked like the preview, offered to preview and scan, audited', async () => {
      const mappings = `/api/v1/organisations/${world.orgA}/forensics/mappings`;
      const vendor = MAPPING_PRESETS.editeur_fr.text!;
      const badYaml = await rssi.request('POST', mappings, { name: 'Cassée', text: 'format: csv\nfields: [\n' });
      expect(badYaml.statusCode).toBe(400);
      expect(badYaml.json().details[0]).toMatchObject({ path: 'text', message: expect.stringMatching(/^ligne \d+.*YAML/) });
      const unknownKey = await rssi.request('POST', mappings, { name: 'Cassée', text: vendor.replace('delimiter:', 'delimiteur:') });
      expect(unknownKey.statusCode).toBe(400);
      expect(unknownKey.json().details[0].message).toMatch(/^ligne \d+ : clé inconnue : delimiteur/);
      expect((await rssi.request('POST', mappings, { name: '  ', text: vendor })).json().details[0]).toMatchObject({ path: 'name', message: 'Donnez un nom à la correspondance.' });

      const created = await rssi.request('POST', mappings, { name: 'Export police municipale', text: vendor });
      expect(created.statusCode, created.body).toBe(201);
      expect(created.json()).toMatchObject({ name: 'Export police municipale', text: vendor.trim(), createdByName: 'Test rssi', updatedByName: 'Test rssi' });
      const id = created.json().id as string;
      const twice = await rssi.request('POST', mappings, { name: 'Export police municipale', text: vendor });
      expect(twice.statusCode).toBe(409);
      expect(twice.json().message).toContain('« Export police municipale » existe déjà');

      const dpo = await signIn(world, world.users.dpo);
      expect((await dpo.request('GET', mappings)).json().map((m: { name: string }) => m.name)).toEqual(['Export police municipale']);
      expect((await dpo.request('POST', mappings, { name: 'Autre', text: vendor })).statusCode).toBe(403);
      expect((await outsider.request('GET', mappings)).statusCode).toBe(404);
      expect((await outsider.request('PUT', `${mappings}/${id}`, { name: 'Volée', text: vendor })).statusCode).toBe(404);
      // Another organisation's list does not show it, and its id means nothing there.
      const mappingsB = `/api/v1/organisations/${world.orgB}/forensics/mappings`;
      expect((await outsider.request('GET', mappingsB)).json()).toEqual([]);
      expect((await outsider.request('DELETE', `${mappingsB}/${id}`)).statusCode).toBe(404);

      const preview = (await rssi.request('POST', `${base}/forensics/preview`, { evidenceId: ids.csv, mappingId: id })).json();
      expect(preview.ok).toBe(true);
      expect(preview.events[0]).toMatchObject({ 'event.action': 'login' });
      const both = await rssi.request('POST', `${base}/forensics/preview`, { evidenceId: ids.csv, mappingId: id, preset: 'ecs' });
      expect(both.statusCode).toBe(400);
      const result = await scan({ evidenceIds: [ids.csv], mappingId: id });
      expect(result).toMatchObject({ status: 'done', mapping: 'personnalisee', mappingName: 'Export police municipale', mappingText: vendor.trim() });
      expect(result.accounts[0]).toMatchObject({ account: FIXTURE_VICTIM, severity: 'critical' });

      const renamed = await rssi.request('PUT', `${mappings}/${id}`, { name: 'Export PM (v2)', text: vendor.replace('OK: success', 'OK: success, Succès: success') });
      expect(renamed.statusCode, renamed.body).toBe(200);
      expect(renamed.json()).toMatchObject({ name: 'Export PM (v2)', text: expect.stringContaining('Succès') });
      expect((await rssi.request('PUT', `${mappings}/${id}`, { name: 'Export PM (v2)', text: 'formt: csv' })).statusCode).toBe(400);
      expect((await rssi.request('DELETE', `${mappings}/${id}`)).statusCode).toBe(204);
      expect((await rssi.request('GET', mappings)).json()).toEqual([]);
      // The scan keeps the mapping it ran with; a deleted mapping cannot be chosen any more.
      expect((await rssi.request('GET', `${base}/forensics/scans/${result.id}`)).json()).toMatchObject({ mappingName: 'Export police municipale', mappingText: vendor.trim() });
      const gone = await rssi.request('POST', `${base}/forensics/scans`, { evidenceIds: [ids.csv], mappingId: id });
      expect(gone.statusCode).toBe(400);
      expect(gone.json().details[0]).toMatchObject({ path: 'mappingId', message: expect.stringContaining('inconnue') });
      const audit = await world.services.db.selectFrom('audit_log').select(['action']).where('object_id', '=', id).orderBy('seq').execute();
      expect(audit.map((a) => a.action)).toEqual(['forensics.mapping.create', 'forensics.mapping.update', 'forensics.mapping.delete']);
    }, 60_000);

    it('keeps scans of one organisation out of reach of another and of roles without the right', async () => {
      const other = `/api/v1/organisations/${world.orgA}/incidents`;
      expect((await outsider.request('GET', `${base}/forensics/scans/${ids.scan}`)).statusCode).toBe(404);
      expect((await outsider.request('POST', `${base}/forensics/scans/${ids.scan}/actions`, { account: FIXTURE_VICTIM })).statusCode).toBe(404);
      const dgs = await signIn(world, world.users.dgs);
      expect((await dgs.request('GET', `${base}/forensics/scans/${ids.scan}`)).statusCode).toBe(403);
      const dpo = await signIn(world, world.users.dpo);
      expect((await dpo.request('GET', `${base}/forensics/scans/${ids.scan}`)).statusCode).toBe(200);
      expect((await dpo.request('POST', `${base}/forensics/scans`, { evidenceIds: [ids.ndjson], preset: 'ecs' })).statusCode).toBe(403);
      // Evidence of another organisation's incident cannot be scanned from this one.
      const incidentB = (await outsider.request('POST', `/api/v1/organisations/${world.orgB}/incidents`, {
        type: 'autre', title: 'Incident B', awareAt: new Date().toISOString(), personalData: { involved: false, categories: [] },
      })).json();
      const baseB = `/api/v1/organisations/${world.orgB}/incidents/${incidentB.id}`;
      const r = await outsider.request('POST', `${baseB}/forensics/scans`, { evidenceIds: [ids.ndjson], preset: 'ecs' });
      expect(r.statusCode).toBe(400);
      expect((await outsider.request('POST', `${baseB}/forensics/preview`, { evidenceId: ids.ndjson, preset: 'ecs' })).statusCode).toBe(404);
      expect(other).toContain(world.orgA);
    });
  });
}
