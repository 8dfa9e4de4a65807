import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import iconv from 'iconv-lite';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '@rempart/db';
import { generateSynthetic, planSms, smsText, streamLettersPdf, syntheticCsv, SYNTHETIC_MAPPING } from '@rempart/scoping';
import { cnilDossierSchema, dossierDiff } from '@rempart/documents';
import { createWorld, pdfText, signIn, type Client, type TestWorld } from '../../testing.ts';
import { assignmentSegmentOf, loadResults, openResults, PERSONS_PER_SEGMENT } from './service.ts';
import { asEnginePerson, packOptions } from './campaign.ts';
import { letterPersons, smsCsvLines } from './routes.ts';
import { spreadsheetCell } from '@rempart/ingest/spreadsheet';
import { clearScratch } from '../../platform/scratch.ts';
import { loadConfig } from '../../config.ts';

const WIN_CSV = [
  'ID ligne;N° dossier;Module;Date dossier;Rôle;Nom;Prénom;Date de naissance;Téléphone;Adresse;Code postal;Ville;Remarque',
  '1;MC-1;Main courante;12/03/2024;Requérant;Lefèvre;Hélène;03/04/1981;06 12 34 56 78;3 rue de la République;94340;Joinville-le-Pont;voisine',
  '2;MC-1;Main courante;12/03/2024;Mis en cause;Dupré;Jérôme;31/02/1975;;;;;',
  '3;OTV-7;OTV;2024-07-01;Requérant;LEFEVRE;Helene;1981-04-03;+33612345678;3 r de la Republique;94340;Joinville-le-Pont;',
].join('\r\n') + '\r\n';

function multipart(parts: { name: string; filename?: string; data: Buffer | string }[]) {
  const boundary = '----rempart-scoping';
  const body = Buffer.concat(parts.flatMap((p) => [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n\r\n`),
    Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data), Buffer.from('\r\n'),
  ]).concat([Buffer.from(`--${boundary}--\r\n`)]));
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

async function startSmtp() {
  const inbox: { to: string[]; raw: string }[] = [];
  let refuse: string | null = null;
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'],
    onRcptTo(address, _session, cb) { cb(address.address === refuse ? Object.assign(new Error(`mailbox ${address.address} unavailable`), { responseCode: 550 }) : undefined); },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => { inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') }); cb(); });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`, inbox, refuseAddress: (a: string) => { refuse = a; }, close: () => new Promise<void>((r) => server.close(() => r())) };
}

// A real SMPP server (node-smpp's own) standing for the operator's SMSC; it sends a delivery receipt
// for each part, "UNDELIV" for the numbers in `undeliverable`.
async function startSmpp() {
  const smpp = createRequire(import.meta.url)('smpp');
  const parts: { to: string; text: string; udh: number[] | null }[] = [];
  const undeliverable = new Set<string>();
  const server = smpp.createServer((session: any) => {
    session.on('bind_transceiver', (pdu: any) => session.send(pdu.response(pdu.system_id === 'mairie' && pdu.password === 's3cret' ? {} : { command_status: smpp.ESME_RBINDFAIL })));
    session.on('submit_sm', (pdu: any) => {
      parts.push({ to: pdu.destination_addr, text: pdu.short_message.message, udh: pdu.short_message.udh?.[0] ? [...pdu.short_message.udh[0]] : null });
      const id = `S${parts.length}`;
      session.send(pdu.response({ message_id: id }));
      const stat = undeliverable.has(`+${pdu.destination_addr}`) ? 'UNDELIV' : 'DELIVRD';
      if (pdu.registered_delivery & 1) session.deliver_sm({ source_addr: pdu.destination_addr, destination_addr: pdu.source_addr, esm_class: 4, short_message: `id:${id} sub:001 dlvrd:001 submit date:2611280900 done date:2611280900 stat:${stat} err:000 text:` });
    });
    session.on('unbind', (pdu: any) => { session.send(pdu.response()); session.close(); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `smpp://mairie:s3cret@127.0.0.1:${(server.address() as AddressInfo).port}`, parts, undeliverable, close: () => new Promise<void>((r) => server.close(() => r())) };
}

for (const backend of testBackends()) {
  describe.skipIf(backend.skipReason)(`breach scoping in the platform on ${backend.name}`, () => {
    let world: TestWorld;
    let dpo: Client;
    let base: string;
    let incidentId: string;
    let smtp: Awaited<ReturnType<typeof startSmtp>>;
    let smsc: Awaited<ReturnType<typeof startSmpp>>;
    let synthetic: { id: string };
    let runId: string;
    const upload = async (name: string, data: Buffer | string) => {
      const m = multipart([{ name: 'file', filename: name, data }]);
      const r = await world.app.inject({ method: 'POST', url: `${base}/datasets`, payload: m.body, headers: { cookie: dpo.cookie, 'x-csrf-token': dpo.csrf, 'content-type': m.type } });
      expect(r.statusCode).toBe(201);
      return r.json() as { id: string };
    };
    const trail = async (action: string) => world.services.db.selectFrom('audit_log').select(['action', 'object_type', 'object_id', 'details']).where('action', '=', action).orderBy('seq').execute();
    const runAndWait = async (datasetId: string, body: Record<string, unknown> = {}) => {
      const r = await dpo.request('POST', `${base}/datasets/${datasetId}/runs`, { notificationDate: '2026-11-28', ...body });
      expect(r.statusCode, r.body).toBe(202);
      expect(r.json().status).toBe('queued');
      await world.app.jobs.drain();
      const run = (await dpo.request('GET', `${base}/scoping/runs/${r.json().id}`)).json();
      expect(run.status, run.error).toBe('done');
      return run;
    };
    // The test clock stands still: each campaign a second later, so that "latest" means something.
    const startCampaign = (body: Record<string, unknown>) => {
      world.clock.now = new Date(world.clock.now.getTime() + 1000);
      return dpo.request('POST', `${base}/scoping/runs/${runId}/campaigns`, body);
    };
    const runRowOf = (id: string) => world.services.db.selectFrom('scoping_runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

    beforeAll(async () => {
      smtp = await startSmtp();
      smsc = await startSmpp();
      world = await createWorld(backend, { smtpUrl: smtp.url, smppUrl: smsc.url });
      dpo = await signIn(world, world.users.dpo);
      await world.services.db.updateTable('organisations').set({ dpo_email: 'dpo@commune-a.fr' }).where('id', '=', world.orgA).execute();
      const incident = await dpo.request('POST', `/api/v1/organisations/${world.orgA}/incidents`, {
        type: 'exfiltration', title: 'Vol du fichier de police municipale', awareAt: new Date().toISOString(), personalData: { involved: true, categories: ['identité'] },
      });
      incidentId = incident.json().id;
      base = `/api/v1/organisations/${world.orgA}/incidents/${incidentId}`;
    });
    afterAll(async () => { await world?.close(); await smtp?.close(); await smsc?.close(); });

    it('suggests the sex, occupation, birth place and second surname columns the resolver weighs', async () => {
      const csv = 'ID;Nom;Nom de naissance;Prénom;Civilité;Profession;Né à;Date de naissance\n1;Martin;Durand;Marie;Mme;Infirmière;Lyon;02/05/1980\n';
      const ds = await upload('etat-civil.csv', Buffer.from(csv));
      const suggestion = (await dpo.request('GET', `${base}/datasets/${ds.id}/mapping/suggestion`)).json().mapping as string;
      expect(suggestion).toContain('person.last_name: Nom\n');
      expect(suggestion).toContain('person.other_names: Nom de naissance');
      expect(suggestion).toContain('person.gender: Civilité');
      expect(suggestion).toContain('person.occupation: Profession');
      expect(suggestion).toContain('person.birth_place: Né à');
    });

    it('suggests a mapping from a Windows-1252 « ; » header and previews parsed values with located errors', async () => {
      const ds = await upload('export PM.csv', iconv.encode(WIN_CSV, 'win1252'));
      const suggestion = (await dpo.request('GET', `${base}/datasets/${ds.id}/mapping/suggestion`)).json().mapping as string;
      expect(suggestion).toContain('person.first_name: Prénom');
      expect(suggestion).toContain('person.birth_date: Date de naissance');
      expect(suggestion).toContain('delimiter: ;');
      expect(suggestion).toContain('encoding: windows-1252');
      expect(suggestion).toContain('Main courante: main_courante');

      const preview = (await dpo.request('POST', `${base}/datasets/${ds.id}/mapping/preview`, { mapping: suggestion })).json();
      expect(preview.ok).toBe(true);
      expect(preview.unmapped).toEqual(['Remarque']);
      expect(preview.rows[0].values).toMatchObject({ 'person.first_name': 'Hélène', 'person.birth_date': '1981-04-03', 'dossier.module': 'main_courante', 'dossier.date': '2024-03-12' });
      expect(preview.rows[0].other).toEqual(['Remarque']);
      // 31 February is reported on its line and column, in French; the row itself is kept.
      expect(preview.rows[1].line).toBe(3);
      expect(preview.rows[1].issues[0]).toMatchObject({ field: 'person.birth_date', column: 'Date de naissance' });
      expect(preview.rows[1].issues[0].message).toMatch(/ligne 3.*date illisible ou impossible « 31\/02\/1975 »/);
      expect(preview.rows[2].values['person.birth_date']).toBe('1981-04-03');

      const wrong = (await dpo.request('POST', `${base}/datasets/${ds.id}/mapping/preview`, { mapping: suggestion.replace('person.city: Ville', 'person.city: Commune de résidence') })).json();
      expect(wrong.ok).toBe(false);
      expect(wrong.errors[0]).toMatchObject({ column: 'Commune de résidence', field: 'person.city' });
      expect(wrong.errors[0].message).toContain('colonne « Commune de résidence » absente');
      const badYaml = (await dpo.request('POST', `${base}/datasets/${ds.id}/mapping/preview`, { mapping: 'fields:\n  person.nom: Nom\n' })).json();
      expect(badYaml.errors[0].message).toContain('champ inconnu');
      const saveWrong = await dpo.request('PUT', `${base}/datasets/${ds.id}/mapping`, { mapping: suggestion.replace('Ville', 'Commune de résidence') });
      expect(saveWrong.statusCode).toBe(400);
      expect(saveWrong.json().details[0].message).toContain('Commune de résidence');
      expect((await dpo.request('POST', `${base}/datasets/${ds.id}/runs`, {})).json().code).toBe('mapping_required');

      expect((await dpo.request('PUT', `${base}/datasets/${ds.id}/mapping`, { mapping: suggestion })).statusCode).toBe(200);
      const run = await runAndWait(ds.id);
      // Hélène Lefèvre written twice differently is one person; 31 February only loses the birth date.
      expect(run.figures).toMatchObject({ persons: 2, records: 3, by_module: { main_courante: 2, otv: 1 } });
      expect((await trail('read')).filter((t) => t.object_id === ds.id).map((t) => (t.details as { what?: string }).what)).toEqual(['mapping_suggestion', 'mapping_preview', 'mapping_preview', 'mapping_preview']);
    });

    it('runs the scoping as a job with progress, results sealed with the dataset key and counts in clear', async () => {
      const rows = generateSynthetic(400, 7);
      synthetic = await upload('synthetique.csv', syntheticCsv(rows));
      expect((await dpo.request('PUT', `${base}/datasets/${synthetic.id}/mapping`, { mapping: SYNTHETIC_MAPPING })).statusCode).toBe(200);
      const run = await runAndWait(synthetic.id);
      runId = run.id;
      expect(run.figures.records).toBe(400);
      expect(run.figures.persons).toBeGreaterThan(100);
      expect(run.figures.persons).toBeLessThan(400);
      expect(run.figures.review_pairs).toBeGreaterThan(0);
      const job = await world.services.db.selectFrom('jobs').selectAll().where('kind', '=', 'scoping.run').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
      expect(job.status).toBe('done');
      expect(job.result).toMatchObject({ persons: run.figures.persons });
      expect(job.progress).toHaveProperty('stage');
      // Results on disk are ciphertext: no name from the extract appears in them.
      const segments = path.join(world.services.config.dataDir, 'files', 'scoping', world.orgA, run.id);
      expect((await readdir(segments)).sort()).toEqual(['assignments-0.enc', 'index-0.enc', 'index-summary.enc', 'persons-0.enc', 'rejected.enc', 'review-0.enc', 'review-index.enc']);
      const someName = rows[0]!.values.Nom!;
      for (const f of await readdir(segments)) expect((await readFile(path.join(segments, f))).includes(Buffer.from(someName)), f).toBe(false);
      const stored = await loadResults(world.services, await runRowOf(run.id));
      expect(stored.persons).toHaveLength(run.figures.persons);
      // No decrypted copy of the extract is left behind; one left by a crash is removed at start-up.
      expect(await readdir(path.join(world.services.config.dataDir, 'tmp'))).toEqual([]);
      await mkdir(path.join(world.services.config.dataDir, 'tmp', 'scoping-crash'), { recursive: true });
      await writeFile(path.join(world.services.config.dataDir, 'tmp', 'scoping-crash', 'extrait.csv'), 'Nom\nDurand\n');
      await clearScratch(world.services);
      expect(existsSync(path.join(world.services.config.dataDir, 'tmp'))).toBe(false);

      const perimeter = await runAndWait(synthetic.id, { modules: ['otv'] });
      expect(perimeter.perimeter.modules).toEqual(['otv']);
      expect(Object.keys(perimeter.figures.records_by_module)).toEqual(['otv']);
      expect(perimeter.figures.persons).toBeLessThan(run.figures.persons);
      // A run stopped before it starts never runs; stopping it twice is refused.
      const queued = (await dpo.request('POST', `${base}/datasets/${synthetic.id}/runs`, {})).json();
      const stopped = await dpo.request('POST', `${base}/scoping/runs/${queued.id}/cancel`);
      expect(stopped.json().status).toBe('cancelled');
      expect(await world.app.jobs.drain()).toBe(0);
      expect((await dpo.request('POST', `${base}/scoping/runs/${queued.id}/cancel`)).statusCode).toBe(409);
      expect((await dpo.request('GET', `${base}/scoping/runs/${queued.id}/persons`)).json().code).toBe('run_not_done');
      const bad = await dpo.request('POST', `${base}/datasets/${synthetic.id}/runs`, { since: '2025-02-30', until: '2024-01-01' });
      expect(bad.statusCode).toBe(400);
    });

    it('lists persons masked with filters, and revealing one is an audited read', async () => {
      const list = (await dpo.request('GET', `${base}/scoping/runs/${runId}/persons`)).json();
      expect(list.total).toBeGreaterThan(100);
      expect(list.persons).toHaveLength(50);
      const stored = await loadResults(world.services, await runRowOf(runId));
      const full = stored.persons[0]!;
      const masked = list.persons[0];
      expect(masked.id).toBe(full.id);
      expect(masked.name).toBe(`${full.lastName[0]}*** ${full.firstName[0]!.toUpperCase()}.`);
      expect(JSON.stringify(list)).not.toContain(full.lastName);
      if (full.birthDate) expect(masked.birthYear).toBe(full.birthDate.slice(0, 4));
      if (full.phone) expect(masked.phone).toBe(`•• •• •• •• ${full.phone.e164.slice(-2)}`);
      const withPhone = stored.persons.find((p) => p.phone)!;
      expect(JSON.stringify(list)).not.toContain(withPhone.phone!.e164);

      const risky = (await dpo.request('GET', `${base}/scoping/runs/${runId}/persons?risk=burglary`)).json();
      expect(risky.total).toBe(stored.persons.filter((p) => p.risks.some((r) => r.risk === 'burglary')).length);
      const minors = (await dpo.request('GET', `${base}/scoping/runs/${runId}/persons?minor=true`)).json();
      expect(minors.total).toBe(stored.persons.filter((p) => p.minor).length);
      const otv = (await dpo.request('GET', `${base}/scoping/runs/${runId}/persons?module=otv`)).json();
      expect(otv.persons.every((p: { modules: string[] }) => p.modules.includes('otv'))).toBe(true);
      expect((await dpo.request('GET', `${base}/scoping/runs/${runId}/persons?risk=<script>`)).statusCode).toBe(400);

      const revealed = (await dpo.request('GET', `${base}/scoping/runs/${runId}/persons/${full.id}`)).json();
      expect(revealed.lastName).toBe(full.lastName);
      expect(revealed.records[0].fields['person.last_name']).toBeTruthy();
      const reads = (await trail('read')).filter((t) => t.object_type === 'scoping_person');
      expect(reads.at(-1)!.details).toMatchObject({ runId, personId: full.id });
      expect((await dpo.request('GET', `${base}/scoping/runs/${runId}/persons/P999999`)).statusCode).toBe(404);
      // A role without dataset.read never sees persons, and another organisation sees nothing.
      expect((await (await signIn(world, world.users.dgs)).request('GET', `${base}/scoping/runs/${runId}/persons`)).statusCode).toBe(403);
      expect((await (await signIn(world, world.outsider)).request('GET', `/api/v1/organisations/${world.orgB}/incidents/${incidentId}/scoping/runs/${runId}/persons`)).statusCode).toBe(404);
    });

    it('shows uncertain pairs side by side; a decision is recorded, audited and applied at the next run', async () => {
      const review = (await dpo.request('GET', `${base}/scoping/runs/${runId}/review`)).json();
      expect(review.total).toBeGreaterThan(0);
      expect(review.remaining).toBe(review.total);
      const stored = await loadResults(world.services, await runRowOf(runId));
      const personOf = (s: typeof stored, rec: string) => s.persons.find((p) => p.records.includes(rec))?.id;
      // A pair the engine kept apart: the reviewer says they are the same person.
      const apart = review.pairs.find((p: { a: string; b: string }) => personOf(stored, p.a) && personOf(stored, p.b) && personOf(stored, p.a) !== personOf(stored, p.b));
      expect(apart).toBeTruthy();
      expect(apart.recordA.fields['person.last_name']).toBeTruthy();
      expect(apart.recordB.id).toBe(apart.b);
      expect(apart.evidence.map((e: { field: string }) => e.field)).toContain('birth_date');
      const decided = await dpo.request('POST', `${base}/scoping/runs/${runId}/decisions`, { a: apart.a, b: apart.b, same: true });
      expect(decided.statusCode).toBe(201);
      expect(decided.json().byName).toBe('Test dpo');
      expect((await trail('scoping.decision')).at(-1)).toMatchObject({ object_id: runId, details: { same: true } });
      expect((await dpo.request('POST', `${base}/scoping/runs/${runId}/decisions`, { a: 'inexistante', b: apart.b, same: true })).statusCode).toBe(400);
      const after = (await dpo.request('GET', `${base}/scoping/runs/${runId}/review`)).json();
      expect(after.remaining).toBe(review.total - 1);
      expect((await dpo.request('GET', `${base}/scoping/runs/${runId}`)).json().decisionsSinceRun).toBe(1);

      const rerun = await runAndWait(synthetic.id);
      expect(rerun.decisionsApplied).toBe(1);
      const again = await loadResults(world.services, await runRowOf(rerun.id));
      expect(personOf(again, apart.a)).toBe(personOf(again, apart.b));
      expect(rerun.figures.persons).toBe((await world.services.db.selectFrom('scoping_runs').select('figures').where('id', '=', runId).executeTakeFirstOrThrow()).figures!.persons as number - 1);
      expect(again.review.some((p) => (p.a === apart.a && p.b === apart.b) || (p.a === apart.b && p.b === apart.a))).toBe(false);

      // And the other way: two records merged into one person are split by « personnes différentes ».
      const merged = again.persons.find((p) => p.records.length >= 2)!;
      expect((await dpo.request('POST', `${base}/scoping/runs/${rerun.id}/decisions`, { a: merged.records[0], b: merged.records[1], same: false })).statusCode).toBe(201);
      const split = await runAndWait(synthetic.id);
      const third = await loadResults(world.services, await runRowOf(split.id));
      expect(personOf(third, merged.records[0]!)).not.toBe(personOf(third, merged.records[1]!));
      runId = split.id;
    });

    it('sends the figures into the CNIL dossier after confirmation, with a journal entry', async () => {
      const proposal = (await dpo.request('GET', `${base}/scoping/runs/${runId}/cnil`)).json();
      const run = (await dpo.request('GET', `${base}/scoping/runs/${runId}`)).json();
      expect(proposal.proposed.persons.approxCount).toBe(run.figures.persons);
      expect(proposal.proposed.range).toEqual(run.figures.persons_range);
      expect(proposal.current.records).toBeNull();
      expect((await dpo.request('POST', `${base}/scoping/runs/${runId}/cnil`, { confirm: false })).statusCode).toBe(400);
      expect((await dpo.request('POST', `${base}/cnil/submissions`, { kind: 'initial' })).statusCode).toBe(201);
      const sent = await dpo.request('POST', `${base}/scoping/runs/${runId}/cnil`, { confirm: true });
      expect(sent.statusCode).toBe(200);
      const cnil = (await dpo.request('GET', `${base}/cnil`)).json();
      expect(cnil.dossier.persons.approxCount).toBe(run.figures.persons);
      expect(cnil.dossier.records.approxCount).toBe(400);
      expect(cnil.dossier.dataCategories).toContain('Immatriculation de véhicule');
      expect(cnil.dossier.sensitiveData).toEqual(['Données relatives aux infractions (art. 10 RGPD)']);
      expect(cnil.dossier.persons.categories.some((c: string) => c.includes('mis en cause'))).toBe(true);
      const journal = (await dpo.request('GET', `${base}/journal`)).json();
      expect(journal.some((e: { text: string }) => e.text.includes(`${run.figures.persons} personnes distinctes (entre ${run.figures.persons_range[0]} et ${run.figures.persons_range[1]}`))).toBe(true);
      expect((await trail('cnil.save')).at(-1)!.details).toMatchObject({ source: 'scoping', runId });
      // The next (complementary) notification states what changed since the initial one.
      const initial = await world.services.db.selectFrom('cnil_submissions').select('snapshot').where('incident_id', '=', incidentId).executeTakeFirstOrThrow();
      const changes = dossierDiff(cnilDossierSchema.parse(initial.snapshot), cnil.dossier);
      expect(changes.find((c) => c.path === 'persons.approxCount')).toMatchObject({ label: 'Nombre approximatif de personnes concernées', after: run.figures.persons });
      expect(changes.map((c) => c.path)).toContain('records.approxCount');
    });

    it('runs the campaign: dry run first, then emails through the platform mailer, resumable, with follow-up', async () => {
      const stored = await loadResults(world.services, await runRowOf(runId));
      // Same rule as the CLI: no direct message to a minor unless included; the letter goes to the representatives.
      const emails = stored.persons.filter((p) => p.email && !p.minor);
      const minorsWithEmail = stored.persons.filter((p) => p.email && p.minor);
      expect(emails.length).toBeGreaterThan(2);
      expect((await startCampaign({ dryRun: false, perMinute: 6000 })).json().code).toBe('dry_run_first');
      expect((await (await signIn(world, world.users.rssi)).request('POST', `${base}/scoping/runs/${runId}/campaigns`, { dryRun: true })).statusCode).toBe(403);
      expect((await startCampaign({ dryRun: true, perMinute: 6000, channels: [] })).statusCode).toBe(400);
      expect((await startCampaign({ dryRun: true, perMinute: 6000 })).statusCode).toBe(202);
      await world.app.jobs.drain();
      let follow = (await dpo.request('GET', `${base}/scoping/runs/${runId}/campaigns`)).json();
      expect(follow.campaigns[0]).toMatchObject({ dryRun: true, status: 'done', channels: ['email'], includeMinors: false, counts: { email_simulated: emails.length, email_eligible: emails.length } });
      expect(follow.campaigns[0].counts.minors_held).toBeGreaterThanOrEqual(minorsWithEmail.length);
      expect(follow.channels.email).toMatchObject({ planned: emails.length, sent: 0, pending: emails.length });
      expect(smtp.inbox).toHaveLength(0);
      // The dry run covered email only, without minors: an SMS campaign, or one with minors, needs its own.
      expect((await startCampaign({ dryRun: false, perMinute: 6000, channels: ['email'], includeMinors: true })).json().code).toBe('dry_run_first');

      smtp.refuseAddress(emails[1]!.email);
      expect((await startCampaign({ dryRun: false, perMinute: 6000 })).statusCode).toBe(202);
      await world.app.jobs.drain();
      follow = (await dpo.request('GET', `${base}/scoping/runs/${runId}/campaigns`)).json();
      expect(follow.channels.email).toMatchObject({ planned: emails.length, sent: emails.length - 1, failed: 1, pending: 0 });
      const noEmail = stored.persons.filter((p) => !p.email || p.minor);
      expect(follow.letters).toEqual({
        to_letter: noEmail.filter((p) => p.postal).length,
        to_sms: noEmail.filter((p) => !p.postal && p.phone?.mobile).length, unreachable: noEmail.filter((p) => !p.postal && !p.phone?.mobile).length,
      });
      expect(smtp.inbox.map((m) => m.to[0])).toEqual(emails.filter((_, i) => i !== 1).map((p) => p.email));
      expect(smtp.inbox[0]!.raw).toContain('Fuite_de_donn=C3=A9es');
      const failed = await world.services.db.selectFrom('scoping_deliveries').selectAll().where('status', '=', 'failed').executeTakeFirstOrThrow();
      expect(failed.person_ref).toBe(emails[1]!.id);
      expect(failed.detail).toContain('550');
      expect(failed.detail).not.toContain(emails[1]!.email);
      // Email stops at the server's acceptance: no receipt.
      expect(follow.channels.email).toMatchObject({ delivered: 0, undelivered: 0 });

      // Stopped before it starts, a campaign sends nothing.
      smtp.refuseAddress('');
      const stoppedCampaign = (await startCampaign({ dryRun: false, perMinute: 6000 })).json();
      expect((await dpo.request('POST', `${base}/scoping/runs/${runId}/campaigns/${stoppedCampaign.id}/cancel`)).json().status).toBe('cancelled');
      expect(await world.app.jobs.drain()).toBe(0);
      expect(smtp.inbox).toHaveLength(emails.length - 1);
      expect((await dpo.request('POST', `${base}/scoping/runs/${runId}/campaigns/${stoppedCampaign.id}/cancel`)).statusCode).toBe(409);

      // Started again, it sends only to whom it has not reached yet.
      await startCampaign({ dryRun: false, perMinute: 6000 });
      await world.app.jobs.drain();
      expect(smtp.inbox).toHaveLength(emails.length);
      follow = (await dpo.request('GET', `${base}/scoping/runs/${runId}/campaigns`)).json();
      expect(follow.channels.email).toMatchObject({ sent: emails.length, failed: 0, pending: 0 });
      expect(follow.campaigns[0].counts).toMatchObject({ email_sent: 1, email_skipped: emails.length - 1 });
      expect(smtp.inbox.some((m) => minorsWithEmail.some((p) => m.to.includes(p.email)))).toBe(false);

      const letters = await dpo.request('GET', `${base}/scoping/runs/${runId}/letters.pdf`);
      expect(letters.headers['content-type']).toBe('application/pdf');
      const text = await pdfText(letters.rawPayload);
      const post = stored.persons.find((p) => !p.email && p.postal)!;
      expect(text).toContain(`Réf. ${post.id}`);
      expect(text).not.toContain(`Réf. ${emails[0]!.id}`);
      const sms = await dpo.request('GET', `${base}/scoping/runs/${runId}/sms.csv`);
      expect(sms.body.split('\n')[0]).toBe('\ufeffperson_id,phone,message');
      expect(sms.body.split('\n').length - 2).toBe(stored.persons.filter((p) => p.phone?.mobile).length);
      expect((await trail('read')).filter((t) => t.object_id === runId).map((t) => (t.details as { what: string }).what)).toEqual(expect.arrayContaining(['letters', 'sms']));
    });

    it('sends the SMS through the operator’s SMPP account: dry run with parts, receipts « remis / non remis », resumable', async () => {
      const stored = await loadResults(world.services, await runRowOf(runId));
      const mobiles = stored.persons.filter((p) => p.phone?.mobile && !p.minor);
      const minors = stored.persons.filter((p) => p.phone?.mobile && p.minor);
      expect(mobiles.length).toBeGreaterThan(2);
      const pack = await packOptions(world.services, world.orgA);
      const parts = mobiles.reduce((n, p) => n + planSms(smsText(asEnginePerson(p), pack)).parts.length, 0);
      expect((await startCampaign({ dryRun: false, perMinute: 6000, channels: ['sms'] })).json().code).toBe('dry_run_first');
      expect((await startCampaign({ dryRun: true, perMinute: 6000, channels: ['sms', 'email'] })).statusCode).toBe(202);
      await world.app.jobs.drain();
      let follow = (await dpo.request('GET', `${base}/scoping/runs/${runId}/campaigns`)).json();
      expect(follow.smsAvailable).toBe(true);
      expect(follow.campaigns[0]).toMatchObject({ dryRun: true, status: 'done', channels: ['email', 'sms'], counts: { sms_simulated: mobiles.length, sms_parts: parts, email_skipped: expect.any(Number) } });
      expect(follow.channels.sms).toMatchObject({ planned: mobiles.length, sent: 0, pending: mobiles.length });
      expect(smsc.parts).toHaveLength(0);

      smsc.undeliverable.add(mobiles[0]!.phone!.e164);
      expect((await startCampaign({ dryRun: false, perMinute: 6000, channels: ['email', 'sms'] })).statusCode).toBe(202);
      await world.app.jobs.drain();
      follow = (await dpo.request('GET', `${base}/scoping/runs/${runId}/campaigns`)).json();
      expect(follow.campaigns[0].status, follow.campaigns[0].error).toBe('done');
      expect(follow.campaigns[0].counts).toMatchObject({ sms_sent: mobiles.length, sms_parts: parts, sms_delivered: mobiles.length - 1, sms_undelivered: 1, email_sent: 0 });
      expect(follow.channels.sms).toEqual({ planned: mobiles.length, sent: mobiles.length, failed: 0, uncertain: 0, pending: 0, delivered: mobiles.length - 1, undelivered: 1, late: 0, awaiting: 0, noReceipt: 0, untracked: 0 });
      expect(follow.awaitingReceipts).toEqual({ total: 0, items: [] });
      expect(smsc.parts).toHaveLength(parts);
      expect(new Set(smsc.parts.map((p) => `+${p.to}`))).toEqual(new Set(mobiles.map((p) => p.phone!.e164)));
      expect(smsc.parts.some((p) => minors.some((m) => m.phone!.e164 === `+${p.to}`))).toBe(false);
      // One row per person and channel, with the SMSC's identifiers and the receipt.
      const rows = await world.services.db.selectFrom('scoping_deliveries').selectAll().where('run_id', '=', runId).where('channel', '=', 'sms').where('status', '=', 'sent').execute();
      expect(rows).toHaveLength(mobiles.length);
      const bad = rows.find((r) => r.person_ref === mobiles[0]!.id)!;
      expect(bad).toMatchObject({ receipt: 'undelivered', detail: 'UNDELIV' });
      expect(bad.message_id!.split(' ').every((id) => /^S\d+$/.test(id))).toBe(true); // one identifier per part
      expect(rows.filter((r) => r.receipt === 'delivered')).toHaveLength(mobiles.length - 1);
      expect(rows.every((r) => !r.detail?.includes(r.person_ref))).toBe(true);

      // Again: nothing is sent twice, on either channel.
      expect((await startCampaign({ dryRun: false, perMinute: 6000, channels: ['email', 'sms'] })).statusCode).toBe(202);
      await world.app.jobs.drain();
      expect(smsc.parts).toHaveLength(parts);
      follow = (await dpo.request('GET', `${base}/scoping/runs/${runId}/campaigns`)).json();
      expect(follow.campaigns[0].counts).toMatchObject({ sms_sent: 0, sms_skipped: mobiles.length, email_sent: 0 });
      expect((await trail('scoping.campaign_send')).at(-1)!.details).toMatchObject({ channels: ['email', 'sms'], includeMinors: false });

      // Minors included (after their own dry run); one SMS was cut mid-send by a dead process: not sent again unless asked.
      expect(minors.length).toBeGreaterThan(1);
      expect((await startCampaign({ dryRun: true, perMinute: 6000, channels: ['sms'], includeMinors: true })).statusCode).toBe(202);
      await world.app.jobs.drain();
      const last = await world.services.db.selectFrom('scoping_campaigns').select('id').where('run_id', '=', runId).where('dry_run', '=', false).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
      await world.services.db.insertInto('scoping_deliveries').values({ organisation_id: world.orgA, run_id: runId, campaign_id: last.id, person_ref: minors[0]!.id, channel: 'sms', status: 'started', at: world.clock.now }).execute();
      const sentBefore = new Set(smsc.parts.map((p) => p.to)).size;
      expect((await startCampaign({ dryRun: false, perMinute: 6000, channels: ['sms'], includeMinors: true })).statusCode).toBe(202);
      await world.app.jobs.drain();
      follow = (await dpo.request('GET', `${base}/scoping/runs/${runId}/campaigns`)).json();
      expect(follow.campaigns[0].counts).toMatchObject({ sms_sent: minors.length - 1, sms_uncertain: 1, sms_skipped: mobiles.length });
      expect(follow.channels.sms).toMatchObject({ sent: mobiles.length + minors.length - 1, uncertain: 1, pending: 0 });
      expect(new Set(smsc.parts.map((p) => p.to)).size).toBe(sentBefore + minors.length - 1);
      expect((await startCampaign({ dryRun: false, perMinute: 6000, channels: ['sms'], includeMinors: true, retryUncertain: true })).statusCode).toBe(202);
      await world.app.jobs.drain();
      follow = (await dpo.request('GET', `${base}/scoping/runs/${runId}/campaigns`)).json();
      expect(follow.campaigns[0].counts).toMatchObject({ sms_sent: 1, sms_uncertain: 0 });
      expect(follow.channels.sms).toMatchObject({ sent: mobiles.length + minors.length, uncertain: 0 });
      expect(smsc.parts.filter((p) => `+${p.to}` === minors[0]!.phone!.e164).length).toBeGreaterThan(0);
    });

    it('streams the letters and the SMS list segment by segment, with the same output as the whole list', async () => {
      const big = await upload('courriers.csv', syntheticCsv(generateSynthetic(3000, 21)));
      expect((await dpo.request('PUT', `${base}/datasets/${big.id}/mapping`, { mapping: SYNTHETIC_MAPPING })).statusCode).toBe(200);
      const run = await runAndWait(big.id);
      const row = await runRowOf(run.id);
      const whole = await loadResults(world.services, row);
      expect(whole.persons.length).toBeGreaterThan(2 * PERSONS_PER_SEGMENT);
      const pack = await packOptions(world.services, world.orgA);
      // Before: the whole list in memory, then one PDF and one CSV.
      const chunks: Buffer[] = [];
      const sink = new Writable({ write(c, _e, cb) { chunks.push(Buffer.from(c)); cb(); } });
      await streamLettersPdf(whole.persons.filter((p) => p.postal).map(asEnginePerson), sink, pack, row.notification_date);
      const before = Buffer.concat(chunks);
      const cell = (s: string) => spreadsheetCell(s, ',');
      const csvBefore = `\ufeffperson_id,phone,message\n${whole.persons.filter((p) => p.phone?.mobile).map((p) => [p.id, p.phone!.e164, smsText(asEnginePerson(p), pack)].map(cell).join(',')).join('\n')}\n`;

      const pdf = await dpo.request('GET', `${base}/scoping/runs/${run.id}/letters.pdf`);
      expect(pdf.statusCode).toBe(200);
      expect(pdf.rawPayload.equals(before)).toBe(true);
      expect(await pdfText(pdf.rawPayload)).toBe(await pdfText(before));
      expect(await pdfText(pdf.rawPayload)).toContain(`Réf. ${whole.persons.filter((p) => p.postal).at(-1)!.id}`);
      const csv = await dpo.request('GET', `${base}/scoping/runs/${run.id}/sms.csv`);
      expect(csv.body).toBe(csvBefore);
      const audits = (await trail('read')).filter((t) => t.object_id === run.id).map((t) => t.details as { what: string; persons: number });
      expect(audits.find((a) => a.what === 'letters')!.persons).toBe(whole.persons.filter((p) => p.postal).length);
      expect(audits.find((a) => a.what === 'sms')!.persons).toBe(whole.persons.filter((p) => p.phone?.mobile).length);

      // One segment at a time: each is opened only once the previous one's persons are written out.
      const reader = await openResults(world.services, row);
      const seen: [string, number][] = [];
      for await (const line of smsCsvLines(reader.persons(), pack)) seen.push([line.split(',')[0]!, reader.opened.length]);
      const segments = Math.ceil(whole.persons.length / PERSONS_PER_SEGMENT);
      expect(reader.opened).toEqual(Array.from({ length: segments }, (_, i) => `persons-${i}`));
      const firstOfSegment = (s: number) => whole.persons.slice(s * PERSONS_PER_SEGMENT).find((p) => p.phone?.mobile)!.id;
      for (let s = 0; s < segments; s++) expect(seen.find(([id]) => id === firstOfSegment(s))![1]).toBe(s + 1);
      // The letters likewise: one letter per segment is enough to see the order (the others count as sent).
      const letterReader = await openResults(world.services, row);
      const firstLetters = Array.from({ length: segments }, (_, s) => whole.persons.slice(s * PERSONS_PER_SEGMENT).find((p) => p.postal)!.id);
      const openedAtLetter: [string, number][] = [];
      const counted = (async function* () { for await (const p of letterPersons(letterReader.persons(), new Set(whole.persons.map((x) => x.id).filter((id) => !firstLetters.includes(id))))) { openedAtLetter.push([p.id, letterReader.opened.length]); yield p; } })();
      const sink2: Buffer[] = [];
      expect(await streamLettersPdf(counted, new Writable({ write(c, _e, cb) { sink2.push(Buffer.from(c)); cb(); } }), pack, row.notification_date)).toBe(segments);
      expect(openedAtLetter).toEqual(firstLetters.map((id, s) => [id, s + 1]));
      expect(await pdfText(Buffer.concat(sink2))).toContain(`Réf. ${firstLetters.at(-1)}`);
    });

    it('stores results as sealed segments: a page opens only its own, older one-document runs stay readable', async () => {
      const big = await upload('grand.csv', syntheticCsv(generateSynthetic(3000, 21)));
      expect((await dpo.request('PUT', `${base}/datasets/${big.id}/mapping`, { mapping: SYNTHETIC_MAPPING })).statusCode).toBe(200);
      const run = await runAndWait(big.id);
      const row = await runRowOf(run.id);
      expect(row.results_layout).toMatchObject({ version: 3, persons: run.figures.persons, personsPerSegment: PERSONS_PER_SEGMENT, assignmentSegments: 3 });
      expect(run.figures.persons).toBeGreaterThan(2 * PERSONS_PER_SEGMENT);
      const whole = await loadResults(world.services, row);
      // Watch which files the routes read, through the real store.
      const real = world.services.files;
      const read: string[] = [];
      world.services.files = { ...real, get: (key) => { read.push(key.slice(key.lastIndexOf('/') + 1)); return real.get(key); } };
      const fetch = async (url: string) => { read.length = 0; const r = await dpo.request('GET', `${base}/scoping/runs/${run.id}${url}`); expect(r.statusCode, r.body).toBe(200); return { body: r.json(), read: [...read] }; };
      try {
        const first = await fetch('/persons?page=1');
        expect(first.read).toEqual(['persons-0']);
        expect(first.body.total).toBe(run.figures.persons);
        expect(first.body.persons.map((p: { id: string }) => p.id)).toEqual(whole.persons.slice(0, 50).map((p) => p.id));
        const page = PERSONS_PER_SEGMENT / 50 + 2; // inside the second segment
        const second = await fetch(`/persons?page=${page}`);
        expect(second.read).toEqual(['persons-1']);
        expect(second.body.persons.map((p: { id: string }) => p.id)).toEqual(whole.persons.slice((page - 1) * 50, page * 50).map((p) => p.id));
        const last = whole.persons.at(-1)!;
        const reveal = await fetch(`/persons/${last.id}`);
        expect(reveal.read).toEqual([`persons-${Math.floor((whole.persons.length - 1) / PERSONS_PER_SEGMENT)}`]);
        expect(reveal.body.records.map((r: { id: string }) => r.id)).toEqual(last.records);
        // A filter reads the index summary, then only the index and persons segments holding the page's persons.
        const segmentOf = (p: { id: string }) => Math.floor((Number(p.id.slice(1)) - 1) / PERSONS_PER_SEGMENT);
        const filesOf = (list: { id: string }[]) => { const segs = [...new Set(list.map(segmentOf))]; return [...segs.map((n) => `index-${n}`), ...segs.map((n) => `persons-${n}`)]; };
        const burglary = whole.persons.filter((p) => p.risks.some((r) => r.risk === 'burglary'));
        const filtered = await fetch('/persons?page=1&risk=burglary');
        expect(filtered.body.total).toBe(burglary.length);
        expect(filtered.body.persons.map((p: { id: string }) => p.id)).toEqual(burglary.slice(0, 50).map((p) => p.id));
        expect(filtered.read).toEqual(['index-summary', ...filesOf(burglary.slice(0, 50))]);
        // A later page of one criterion skips, by their counts, the index segments before it.
        const phishing = whole.persons.filter((p) => p.risks.some((r) => r.risk === 'phishing'));
        const deepPage = Math.ceil((PERSONS_PER_SEGMENT + 1) / 50) + 1;
        expect(phishing.length).toBeGreaterThan(deepPage * 50);
        const deep = await fetch(`/persons?page=${deepPage}&risk=phishing`);
        const deepList = phishing.slice((deepPage - 1) * 50, deepPage * 50);
        expect(deep.body).toMatchObject({ total: phishing.length });
        expect(deep.body.persons.map((p: { id: string }) => p.id)).toEqual(deepList.map((p) => p.id));
        expect(deep.read).toEqual(['index-summary', ...filesOf(deepList)]);
        expect(deep.read).not.toContain('index-0');
        // Several criteria: the same answer as filtering the whole results, segments read one at a time.
        for (const query of ['risk=phishing&minor=false&module=otv', 'risk=burglary&module=main_courante', 'minor=true', 'module=nulle_part']) {
          const q = new URLSearchParams(query);
          const expected = whole.persons.filter((p) => (!q.get('risk') || p.risks.some((r) => r.risk === q.get('risk'))) && (!q.get('module') || p.modules.includes(q.get('module')!)) && (!q.get('minor') || String(p.minor) === q.get('minor')));
          for (const pageNo of [1, 2]) {
            const got = await fetch(`/persons?page=${pageNo}&${query}`);
            expect(got.body.total, query).toBe(expected.length);
            expect(got.body.persons.map((p: { id: string }) => p.id), query).toEqual(expected.slice((pageNo - 1) * 50, pageNo * 50).map((p) => p.id));
          }
        }
        // A decision checks its two rows in the assignments file(s) holding them, not in every file.
        const pair = whole.review[0]!;
        const decided = await dpo.request('POST', `${base}/scoping/runs/${run.id}/decisions`, { a: pair.a, b: pair.b, same: false });
        expect(decided.statusCode, decided.body).toBeLessThan(300);
        expect(read.filter((f) => f.startsWith('assignments'))).toEqual([...new Set([pair.a, pair.b].map((id) => `assignments-${assignmentSegmentOf(id, 3)}`))]);
        read.length = 0;
        expect((await dpo.request('POST', `${base}/scoping/runs/${run.id}/decisions`, { a: pair.a, b: 'ligne-inconnue', same: true })).json().code).toBe('validation_failed');
        const review = await fetch('/review?page=1');
        expect(review.read).toEqual(['review-index', 'review-0']);
        expect(review.body.pairs.map((p: { a: string }) => p.a)).toEqual(whole.review.slice(0, 20).map((p) => p.a));
        expect(review.body.pairs[0].recordA.id).toBe(whole.review[0]!.a);
      } finally { world.services.files = real; }
      // Each seal names its run and segment: a segment put in another's place does not open.
      const dir = path.join(world.services.config.dataDir, 'files', 'scoping', world.orgA, run.id);
      const segment0 = await readFile(path.join(dir, 'persons-0.enc'));
      await writeFile(path.join(dir, 'persons-0.enc'), await readFile(path.join(dir, 'persons-1.enc')));
      expect((await dpo.request('GET', `${base}/scoping/runs/${run.id}/persons?page=1`)).statusCode).toBe(500);
      await writeFile(path.join(dir, 'persons-0.enc'), segment0);
      // A run stored before segments (one sealed document, no layout) reads as before.
      const { withDatasetKey } = await import('../datasets/service.ts');
      const legacy = await withDatasetKey(world.services, world.orgA, big.id, (seal) => seal(Buffer.from(JSON.stringify(whole)), `scoping:${run.id}`));
      await world.services.files.put(row.storage_key!, legacy);
      await world.services.db.updateTable('scoping_runs').set({ results_layout: null }).where('id', '=', run.id).execute();
      const old = (await dpo.request('GET', `${base}/scoping/runs/${run.id}/persons?page=2`)).json();
      expect(old.persons.map((p: { id: string }) => p.id)).toEqual(whole.persons.slice(50, 100).map((p) => p.id));
      expect((await dpo.request('GET', `${base}/scoping/runs/${run.id}/persons/${whole.persons[3]!.id}`)).json().records.length).toBe(whole.persons[3]!.records.length);
      expect((await loadResults(world.services, await runRowOf(run.id))).persons).toHaveLength(whole.persons.length);
    });

    it('purging the dataset crypto-shreds its results: nothing is readable afterwards', async () => {
      const runs = await world.services.db.selectFrom('scoping_runs').selectAll().where('dataset_id', '=', synthetic.id).execute();
      const dir = path.join(world.services.config.dataDir, 'files', 'scoping', world.orgA);
      const copy = await readFile(path.join(dir, runId, 'persons-0.enc'));
      expect(runs.filter((r) => r.results_layout).length).toBeGreaterThan(2);
      expect((await dpo.request('POST', `${base}/datasets/${synthetic.id}/purge`, { reason: 'Campagne terminée' })).statusCode).toBe(200);
      const left = await readdir(dir);
      for (const r of runs) {
        expect(left).not.toContain(`${r.id}.enc`);
        if (left.includes(r.id)) expect(await readdir(path.join(dir, r.id))).toEqual([]);
      }
      expect((await dpo.request('GET', `${base}/scoping/runs/${runId}/persons`)).statusCode).toBe(410);
      expect((await dpo.request('GET', `${base}/scoping/runs/${runId}/review`)).statusCode).toBe(410);
      expect((await dpo.request('GET', `${base}/scoping/runs/${runId}/letters.pdf`)).statusCode).toBe(410);
      // Even a surviving copy of the results file cannot be opened: the key is gone.
      await expect(loadResults(world.services, { ...(await runRowOf(runId)), status: 'done', storage_key: 'x' })).rejects.toThrow();
      expect(copy.length).toBeGreaterThan(0);
      expect(await world.services.db.selectFrom('scoping_decisions').selectAll().where('dataset_id', '=', synthetic.id).execute()).toEqual([]);
      // The counts stay, for the register and the dossier.
      const run = (await dpo.request('GET', `${base}/scoping/runs/${runId}`)).json();
      expect(run.status).toBe('purged');
      expect(run.figures.persons).toBeGreaterThan(0);
      expect((await dpo.request('POST', `${base}/datasets/${synthetic.id}/runs`, {})).statusCode).toBe(409);
    });

    it('rejects hostile input: huge or binary mapping, YAML aliases, malformed extract', async () => {
      const ds = await upload('hostile.csv', 'Nom;Prénom\n"Robert\'); DROP TABLE users;--";=cmd|calc\n');
      const bomb = 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: [*b,*b]\nfields: { person.last_name: Nom }\n';
      const r1 = (await dpo.request('POST', `${base}/datasets/${ds.id}/mapping/preview`, { mapping: bomb })).json();
      expect(r1.ok).toBe(false);
      expect((await dpo.request('POST', `${base}/datasets/${ds.id}/mapping/preview`, { mapping: 'x'.repeat(300 * 1024) })).statusCode).toBe(400);
      const ok = (await dpo.request('POST', `${base}/datasets/${ds.id}/mapping/preview`, { mapping: 'fields:\n  person.last_name: Nom\n  person.first_name: Prénom\n' })).json();
      expect(ok.rows[0].values['person.last_name']).toBe("Robert'); DROP TABLE users;--");
      expect(ok.rows[0].values['person.first_name']).toBe('=cmd|calc');
      expect((await world.services.db.selectFrom('users').select('id').execute()).length).toBeGreaterThan(0);
      const binary = await upload('binaire.csv', Buffer.from([0, 1, 2, 255, 254, 10, 0, 0]));
      const suggestion = await dpo.request('GET', `${base}/datasets/${binary.id}/mapping/suggestion`);
      expect(suggestion.statusCode).toBe(200);
      const preview = (await dpo.request('POST', `${base}/datasets/${binary.id}/mapping/preview`, { mapping: 'fields:\n  person.last_name: Nom\n' })).json();
      expect(preview.ok).toBe(false);
      expect(preview.errors[0].message).toContain('Nom');
    });
  });
}

describe('SMS configuration of the platform', () => {
  it('says in French what is wrong with SMPP_URL / SMPP_SENDER, and reads a correct pair', () => {
    expect(() => loadConfig({ SMPP_URL: 'smpp://mairie:s3cret@smpp.operateur.fr:2775' })).toThrow(/SMPP_SENDER: SMPP_URL demande aussi SMPP_SENDER/);
    expect(() => loadConfig({ SMPP_URL: 'http://smpp.operateur.fr', SMPP_SENDER: 'MAIRIE' })).toThrow(/SMPP_URL: attendu smpp:\/\/identifiant:motdepasse@hôte:port/);
    expect(() => loadConfig({ SMPP_URL: 'smpp://mairie:s3cret@smpp.operateur.fr', SMPP_SENDER: 'MAIRIE DE JOINVILLE' })).toThrow(/SMPP_SENDER: émetteur des SMS : 11 lettres ou chiffres au plus/);
    expect(loadConfig({ SMPP_URL: 'ssmpp://mairie:s3cret@smpp.operateur.fr:3550', SMPP_SENDER: 'MAIRIE' }).smpp).toEqual({ url: 'ssmpp://mairie:s3cret@smpp.operateur.fr:3550', sender: 'MAIRIE', receiptWaitMs: 30_000, receiptMaxMs: 72 * 3_600_000 });
    expect(loadConfig({}).smpp).toBeUndefined();
  });
});
