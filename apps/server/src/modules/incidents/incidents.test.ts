import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '@rempart/db';
import { createWorld, pdfText, signIn, type Client, type TestWorld } from '../../testing.ts';

const HOUR = 3_600_000;

for (const backend of testBackends()) {
  describe.skipIf(backend.skipReason)(`the 72-hour path on ${backend.name}`, () => {
    let world: TestWorld;
    let dpo: Client;
    let base: string;
    let incidentId: string;
    let awareAt: Date;

    beforeAll(async () => {
      world = await createWorld(backend);
      dpo = await signIn(world, world.users.dpo);
      base = `/api/v1/organisations/${world.orgA}`;
      awareAt = new Date(world.clock.now.getTime() - 2 * HOUR);
    });
    afterAll(async () => world?.close());

    it('declares an incident, numbers it, starts the clock and lays out the runbook', async () => {
      const r = await dpo.request('POST', `${base}/incidents`, {
        type: 'exfiltration',
        title: 'Exfiltration du logiciel de police municipale',
        awareAt: awareAt.toISOString(),
        startedAt: new Date(awareAt.getTime() - 48 * HOUR).toISOString(),
        detectedHow: "Signalement de l'éditeur",
        affectedSystems: ['Logiciel PM'],
        personalData: { involved: true, categories: ['identité', 'coordonnées'], approxPersons: 8421, approxRecords: 23456, sensitive: true, minors: false },
      });
      expect(r.statusCode).toBe(201);
      const incident = r.json();
      incidentId = incident.id;
      expect(incident.reference).toBe(`INC-${awareAt.getUTCFullYear()}-001`);
      expect(incident.clock.state).toBe('running');
      expect(new Date(incident.clock.deadline).getTime()).toBe(awareAt.getTime() + 72 * HOUR);

      const tasks = (await dpo.request('GET', `${base}/incidents/${incidentId}/tasks`)).json();
      expect(tasks.length).toBeGreaterThanOrEqual(10);
      const text = tasks.map((t: { title: string; description: string }) => `${t.title} ${t.description}`).join('\n').toLowerCase();
      for (const needle of ['cnil', 'plainte', 'journaux', 'mot', 'assureur']) expect(text).toContain(needle);
      for (const t of tasks) expect(new Date(t.dueAt).getTime()).toBeGreaterThanOrEqual(awareAt.getTime());
    });

    it('keeps the journal append-only: a correction is a new entry pointing at the old one', async () => {
      const first = await dpo.request('POST', `${base}/incidents/${incidentId}/journal`, { kind: 'fact', text: 'Compte de M. X désactivé à 9 h 10.' });
      expect(first.statusCode).toBe(201);
      const wrongTarget = await dpo.request('POST', `${base}/incidents/${incidentId}/journal`, { kind: 'correction', text: 'x', correctsId: '00000000-0000-4000-8000-000000000000' });
      expect(wrongTarget.statusCode).toBe(400);
      expect(wrongTarget.json().details[0].path).toBe('correctsId');
      const correction = await dpo.request('POST', `${base}/incidents/${incidentId}/journal`, { kind: 'correction', text: 'Désactivé à 9 h 40, pas 9 h 10.', correctsId: first.json().id });
      expect(correction.statusCode).toBe(201);
      const journal = (await dpo.request('GET', `${base}/incidents/${incidentId}/journal`)).json();
      expect(journal.map((e: { kind: string }) => e.kind)).toEqual(['fact', 'fact', 'correction']);
      expect(journal[2].correctsId).toBe(first.json().id);
      await expect(world.services.db.updateTable('journal_entries').set({ text: 'réécrit' }).execute()).rejects.toThrow(/append-only/);
    });

    it('ticks, reassigns and sets aside tasks, with the reason required', async () => {
      const tasks = (await dpo.request('GET', `${base}/incidents/${incidentId}/tasks`)).json();
      const done = await dpo.request('PATCH', `${base}/incidents/${incidentId}/tasks/${tasks[0].id}`, { status: 'done' });
      expect(done.json()).toMatchObject({ status: 'done', doneByName: 'Test dpo' });
      const noReason = await dpo.request('PATCH', `${base}/incidents/${incidentId}/tasks/${tasks[1].id}`, { status: 'not_applicable' });
      expect(noReason.statusCode).toBe(400);
      expect(noReason.json().details[0].path).toBe('notApplicableReason');
      const na = await dpo.request('PATCH', `${base}/incidents/${incidentId}/tasks/${tasks[1].id}`, { status: 'not_applicable', notApplicableReason: 'Aucun prestataire informatique.' });
      expect(na.json().notApplicableReason).toBe('Aucun prestataire informatique.');
      const outsiderAssignee = await dpo.request('PATCH', `${base}/incidents/${incidentId}/tasks/${tasks[2].id}`, { assigneeUserId: world.outsider.id });
      expect(outsiderAssignee.statusCode).toBe(400);
      const assigned = await dpo.request('PATCH', `${base}/incidents/${incidentId}/tasks/${tasks[2].id}`, { assigneeUserId: world.users.agent.id, ownerRole: 'agent' });
      expect(assigned.json()).toMatchObject({ assigneeUserId: world.users.agent.id, ownerRole: 'agent' });
      const added = await dpo.request('POST', `${base}/incidents/${incidentId}/tasks`, { title: 'Appeler la préfecture', ownerRole: 'elu', dueAt: new Date(awareAt.getTime() + 5 * HOUR).toISOString() });
      expect(added.json().phase).toBe('first_day');
    });

    it('hides the incident from another organisation', async () => {
      const outsider = await signIn(world, world.outsider);
      expect((await outsider.request('GET', `${base}/incidents/${incidentId}`)).statusCode).toBe(404);
      expect((await outsider.request('GET', `/api/v1/organisations/${world.orgB}/incidents/${incidentId}`)).statusCode).toBe(404);
      expect((await outsider.request('GET', `/api/v1/organisations/${world.orgB}/incidents`)).json()).toEqual([]);
    });

    it('turns the clock to due soon, then overdue, and then asks for the reasons of the delay', async () => {
      world.clock.now = new Date(awareAt.getTime() + 65 * HOUR);
      dpo = await signIn(world, world.users.dpo);
      expect((await dpo.request('GET', `${base}/incidents/${incidentId}`)).json().clock.state).toBe('due_soon');
      world.clock.now = new Date(awareAt.getTime() + 75 * HOUR);
      dpo = await signIn(world, world.users.dpo);
      const overdue = (await dpo.request('GET', `${base}/incidents/${incidentId}`)).json();
      expect(overdue.clock.state).toBe('overdue');
      expect(overdue.clock.remainingMs).toBeLessThan(0);

      const cnil = (await dpo.request('GET', `${base}/incidents/${incidentId}/cnil`)).json();
      expect(cnil.completeness.complete).toBe(false);
      const late = await dpo.request('POST', `${base}/incidents/${incidentId}/cnil/submissions`, { kind: 'initial' });
      expect(late.statusCode).toBe(400);
      expect(late.json().details.map((d: { path: string }) => d.path)).toContain('delayReasons');
    });

    it('produces the CNIL dossier as PDF and JSON with the figures entered', async () => {
      const fields = (await dpo.request('GET', `${base}/incidents/${incidentId}/cnil`)).json().completeness.fields as { path: string }[];
      expect(fields.length).toBeGreaterThan(10);
      const dossier = (await dpo.request('GET', `${base}/incidents/${incidentId}/cnil`)).json().dossier;
      const saved = await dpo.request('PUT', `${base}/incidents/${incidentId}/cnil`, { ...dossier, delayReasons: "Périmètre établi seulement le troisième jour avec l'éditeur." });
      expect(saved.statusCode).toBe(200);
      expect(saved.json().completeness.fields.find((f: { path: string }) => f.path === 'delayReasons').filled).toBe(true);
      const submitted = await dpo.request('POST', `${base}/incidents/${incidentId}/cnil/submissions`, { kind: 'initial' });
      expect(submitted.statusCode).toBe(201);
      expect((await dpo.request('GET', `${base}/incidents/${incidentId}`)).json().clock.state).toBe('notified_late');

      const pdf = await dpo.request('GET', `${base}/incidents/${incidentId}/cnil.pdf`);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
      const text = await pdfText(pdf.rawPayload);
      expect(text).toContain('Commune A');
      expect(text).toMatch(/Périmètre établi seulement le troisième jour/);
      const json = await dpo.request('GET', `${base}/incidents/${incidentId}/cnil.json`);
      expect(json.headers['content-disposition']).toContain('attachment');
      expect(JSON.stringify(json.json())).toContain('troisième jour');
    });

    it('keeps the breach register, and requires a reason when the CNIL was not notified', async () => {
      const missing = await dpo.request('PUT', `${base}/incidents/${incidentId}/register-entry`, { facts: 'f', notified: false });
      expect(missing.statusCode).toBe(400);
      expect(missing.json().details[0].path).toBe('reasonNotNotified');
      const ok = await dpo.request('PUT', `${base}/incidents/${incidentId}/register-entry`, {
        facts: 'Exfiltration via un compte compromis', effects: 'Données de 8 421 personnes publiées', remedialActions: 'Comptes réinitialisés', notified: true,
      });
      expect(ok.statusCode).toBe(200);
      const csv = await dpo.request('GET', `${base}/register.csv`);
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.body).toContain('Exfiltration via un compte compromis');
      const pdf = await dpo.request('GET', `${base}/register.pdf`);
      expect(await pdfText(pdf.rawPayload)).toContain('Exfiltration via un compte compromis');
    });

    it('drafts a public notice from the incident, then keeps the edited version', async () => {
      const draft = (await dpo.request('GET', `${base}/incidents/${incidentId}/notice`)).json();
      expect(draft.saved).toBe(false);
      expect(draft.body.toLowerCase()).toContain('cybermalveillance.gouv.fr');
      const saved = await dpo.request('PUT', `${base}/incidents/${incidentId}/notice`, { title: draft.title, body: `${draft.body}\n\nMise à jour du maire.` });
      expect(saved.statusCode).toBe(200);
      const again = (await dpo.request('GET', `${base}/incidents/${incidentId}/notice`)).json();
      expect(again.body).toContain('Mise à jour du maire.');
      const pdf = await dpo.request('GET', `${base}/incidents/${incidentId}/notice.pdf`);
      expect(await pdfText(pdf.rawPayload)).toContain('Mise à jour du maire.');
      // The letter to each affected person is drafted apart from the public notice.
      const letter = (await dpo.request('GET', `${base}/incidents/${incidentId}/notice?audience=persons`)).json();
      expect(letter.body).toContain('Madame, Monsieur');
      expect((await dpo.request('GET', `${base}/incidents/${incidentId}/notice?audience=everyone`)).statusCode).toBe(400);
    });

    it('shows open incidents and overdue tasks on the home page', async () => {
      const dashboard = (await dpo.request('GET', `${base}/dashboard`)).json();
      expect(dashboard.openIncidents.map((i: { id: string }) => i.id)).toContain(incidentId);
      expect(dashboard.overdueTasks.length).toBeGreaterThan(0);
      expect(dashboard.overdueTasks[0]).toHaveProperty('incidentTitle');
    });
  });
}
