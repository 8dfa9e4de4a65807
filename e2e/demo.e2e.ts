// A newcomer on the demo data (§7): the Joinville-like incident half-way through its runbook. Covers
// what the 72-hour path does not: signing in again with TOTP, switching organisation, the English
// interface, the register and the notice with their files, contacts, the audit filters, a session
// that ends under the user's feet, and the incident page on a phone.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Download, Page } from 'playwright-core';
import { testBackends } from '@rempart/db';
import { pdfText } from '@rempart/documents';
import { createOrganisation } from '../apps/server/src/modules/organisations/service.ts';
import { startE2E, type E2E } from './harness.ts';
import { axe, cspViolations, join, PASSWORD, shot, totp } from './helpers.ts';

const ADMIN = 'admin@demo.rempart.invalid';

async function downloaded(page: Page, link: string): Promise<Buffer> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: link }).click()]) as [Download, void];
  return readFile((await download.path())!);
}

for (const backend of testBackends()) {
  describe.skipIf(backend.skipReason)(`the demo in Chromium on ${backend.name}`, () => {
    let e2e: E2E;
    const screenshots = backend.name === 'pglite' && process.env.REMPART_SCREENSHOTS === '1';
    beforeAll(async () => {
      e2e = await startE2E(backend, { demo: true });
    });
    afterAll(async () => e2e?.close());

    it('shows the demo incident at work, its documents, contacts and audit trail', async () => {
      const page = await e2e.newPage();
      const refused = cspViolations(page);
      const { secret } = await join(page, e2e.adminInviteUrl, 'Claire Dumas', ADMIN, false);
      expect(await page.title()).toBe('Tableau de bord — Commune de Val-de-Brême (démonstration) — Rempart');
      // The CSP watcher does see a refusal (an inline style attribute), so its silence below means something.
      await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<div hidden style="color: red"></div>'));
      await expect.poll(() => refused.length).toBe(1);
      refused.length = 0;

      // Home: the open incident with its clock in words, and the tasks of the day.
      const card = page.locator('.card').filter({ hasText: 'Exfiltration des données du logiciel de la police municipale' });
      await expect.poll(() => card.count()).toBe(1);
      expect(await card.locator('.clock').textContent()).toMatch(/^(Notification CNIL( urgente)? : .+ restantes|Délai CNIL dépassé de .+) — échéance le \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
      expect(await page.getByRole('heading', { name: /^Tâches (en retard|à faire aujourd'hui) \(\d+\)$/ }).count()).toBe(2);
      await shot(page, '10-demo-accueil.png', screenshots);
      await axe(page, 'accueil démo');

      // Keyboard: the first Tab reaches the skip link, which leads into the content; focus is visible.
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Aller au contenu');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        return { inMain: !!el.closest('main'), outline: getComputedStyle(el).outlineStyle, text: el.textContent };
      });
      expect(focused).toEqual({ inMain: true, outline: 'solid', text: 'Déclarer un incident' });

      // Signing in again asks for the code of the authenticator app (the enrolment code cannot be replayed).
      await page.getByRole('button', { name: 'Se déconnecter' }).click();
      await page.getByLabel('Adresse électronique').fill(ADMIN);
      await page.getByLabel('Mot de passe').fill(PASSWORD);
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await expect.poll(() => page.getByRole('heading', { name: 'Double authentification' }).count()).toBe(1);
      await page.getByLabel('Code').fill(totp(secret, 1));
      await page.getByRole('button', { name: 'Valider' }).click();
      await expect.poll(() => page.getByRole('heading', { name: 'Tableau de bord' }).count()).toBe(1);

      // An overdue task on the dashboard leads straight to the incident's task list.
      await page.locator('section[aria-labelledby=overdue] a').first().click();
      await expect.poll(() => page.locator('.tasks-progress').count()).toBe(1);
      expect(new URL(page.url()).hash).toBe('#taches');
      await expect.poll(() => page.evaluate(() => {
        const top = document.getElementById('taches')!.getBoundingClientRect().top;
        return top >= 0 && top < window.innerHeight;
      })).toBe(true);
      await page.goBack();

      // The incident: journal half-written, runbook half-done, dossier not complete yet.
      await page.getByRole('link', { name: /^INC-\d{4}-\d{3} — Exfiltration/ }).click();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^INC-\d{4}-\d{3} — Exfiltration des données/);
      expect(await page.title()).toMatch(/^INC-\d{4}-\d{3} — Exfiltration des données du logiciel de la police municipale — Commune de Val-de-Brême/);
      await expect.poll(() => page.locator('.timeline-item').count()).toBeGreaterThanOrEqual(6);
      expect(await page.locator('.timeline-item.kind-decision').count()).toBeGreaterThanOrEqual(3);
      await expect.poll(() => page.locator('.tasks-progress').count()).toBe(1);
      const progress = (await page.locator('.tasks-progress').textContent())!.trim().match(/^(\d+) sur (\d+) tâches traitées$/)!;
      expect(Number(progress[1])).toBeGreaterThan(0);
      expect(Number(progress[1])).toBeLessThan(Number(progress[2]));
      await expect.poll(() => page.locator('#cnil-completeness').textContent()).toMatch(/^Complétude : \d+ sur \d+ éléments requis/);
      // A missing item links to its field.
      const missing = page.locator('.completeness li.missing a').first();
      const target = (await missing.getAttribute('href'))!;
      expect(await page.locator(target).count()).toBe(1);
      await page.evaluate(() => document.getElementById('journal-h')?.scrollIntoView());
      await shot(page, '11-demo-journal.png', screenshots);

      // The summary is edited as the investigation goes (the awareness time, which starts the clock, is not).
      await page.getByRole('button', { name: 'Modifier la synthèse' }).click();
      const edit = page.getByRole('form', { name: 'Modifier la synthèse' });
      expect(await edit.getByLabel(/prise de connaissance/).count()).toBe(0);
      await edit.getByLabel('Nombre approximatif de personnes').fill('10 400');
      await edit.getByRole('button', { name: 'Enregistrer la synthèse' }).click();
      // French digit grouping uses a narrow no-break space.
      await expect.poll(() => page.locator('#synthese .facts').textContent()).toMatch(/environ 10\u202f400 personnes/);

      // At 3 a.m., only what is left: the filter hides what is done and says how much it hides.
      await page.getByLabel('Tâches affichées').selectOption('open');
      await expect.poll(() => page.locator('#taches [role=status]').textContent()).toBe(`${progress[1]} tâche(s) masquée(s) par le filtre.`);
      expect(await page.locator('.task.status-done').count()).toBe(0);
      await page.getByLabel('Tâches affichées').selectOption('all');

      // A task assigned to a person (the administrator may list the members).
      const firstOpen = page.locator('.task.status-todo').first();
      const taskTitle = (await firstOpen.locator('.task-title').textContent())!;
      await page.getByLabel(`Personne attribuée : ${taskTitle}`).selectOption({ label: 'Karim Benali (DPO)' });
      await expect.poll(() => page.locator('.task').filter({ hasText: taskTitle }).first().textContent()).toContain('Attribuée à Karim Benali (DPO)');

      // The JSON dossier carries the demo's figures.
      const json = JSON.parse((await downloaded(page, 'Dossier CNIL (JSON)')).toString('utf8'));
      expect(JSON.stringify(json)).toContain('10000');
      expect(JSON.stringify(json)).toContain('requérants');

      // Register entry, then the public notice edited and read back from its PDF.
      const register = page.getByRole('region', { name: 'Registre' });
      await register.getByLabel('Effets').fill('Données de 10 000 personnes publiées ; risque d’escroqueries et de cambriolages.');
      await register.getByLabel('Mesures prises').fill('Compte désactivé, mots de passe réinitialisés, plainte déposée.');
      await register.getByRole('button', { name: 'Enregistrer au registre' }).click();
      // Not notified yet: the register must say why (art. 33(5)), and the form says so beside the field.
      await expect.poll(() => register.getByRole('alert').textContent()).toContain('Motif de non-notification : Sans notification à la CNIL');
      expect(await register.locator('.field-error .error-text').textContent()).toContain('le registre doit expliquer pourquoi');
      await register.getByLabel('Motif de non-notification').fill('Notification en préparation, avant l’échéance des 72 heures.');
      await register.getByRole('button', { name: 'Enregistrer au registre' }).click();
      await expect.poll(() => register.getByRole('status').textContent()).toBe('Registre mis à jour.');
      const notice = page.getByRole('region', { name: "Note d'information" });
      expect(await notice.getByText(/^Brouillon généré/).count()).toBe(1);
      await notice.getByLabel('Titre').fill('Information des habitants : fuite du logiciel de la police municipale');
      await notice.getByRole('button', { name: 'Enregistrer la note' }).click();
      await expect.poll(() => notice.getByRole('status').textContent()).toBe('Note enregistrée.');
      await page.evaluate(() => document.getElementById('note-h')?.scrollIntoView());
      await shot(page, '12-demo-note.png', screenshots);
      // PDF lines wrap where the page ends: compare with spaces collapsed.
      const flat = (text: string) => text.replace(/\s+/g, ' ');
      const noticeText = flat(await pdfText(await downloaded(page, "Note d'information (PDF)")));
      expect(noticeText).toContain('Information des habitants : fuite du logiciel de la police municipale');
      await axe(page, 'incident démo');

      // The register, as files.
      await page.getByRole('link', { name: 'Registre des violations' }).click();
      await expect.poll(() => page.locator('tbody tr').first().textContent()).toContain('Pas encore notifiée');
      const csv = (await downloaded(page, 'Télécharger le registre (CSV)')).toString('utf8');
      expect(csv).toContain('Exfiltration des données du logiciel de la police municipale');
      expect(csv).toContain('Données de 10 000 personnes publiées');
      const registerPdf = flat(await pdfText(await downloaded(page, 'Télécharger le registre (PDF)')));
      expect(registerPdf).toContain('Exfiltration des données du logiciel de la police municipale');

      // Contacts: an error is shown beside its field, then add, edit and delete (after confirmation).
      await page.getByRole('link', { name: 'Contacts' }).click();
      await expect.poll(() => page.locator('.card').filter({ hasText: 'Commissariat de secteur' }).count()).toBe(1);
      // National contacts come from a second request: wait for them as for the local ones.
      await expect.poll(() => page.locator('.card').filter({ hasText: 'CNIL' }).count()).toBeGreaterThan(0);
      const add = page.getByRole('form', { name: 'Ajouter un contact local' });
      await add.getByLabel('Catégorie').selectOption('gendarmerie');
      await add.getByLabel('Nom').fill('Brigade de Val-de-Brême');
      await add.getByLabel('Courriel').fill('pas-une-adresse');
      await add.getByRole('button', { name: 'Ajouter le contact' }).click();
      await expect.poll(() => add.locator('.field-error .error-text').textContent()).toContain('Adresse électronique invalide');
      expect(await add.getByRole('alert').textContent()).toContain('Courriel : Adresse électronique invalide');
      await add.getByLabel('Courriel').fill('');
      await add.getByLabel('Téléphone').fill('01 45 00 00 18');
      await add.getByRole('button', { name: 'Ajouter le contact' }).click();
      const brigade = page.locator('.card').filter({ hasText: 'Brigade de Val-de-Brême' });
      await expect.poll(() => brigade.count()).toBe(1);
      await brigade.getByRole('button', { name: 'Modifier : Brigade de Val-de-Brême' }).click();
      await brigade.getByLabel('Téléphone').fill('01 45 00 00 19');
      await brigade.getByRole('button', { name: 'Enregistrer les modifications' }).click();
      await expect.poll(() => brigade.textContent()).toContain('01 45 00 00 19');
      await shot(page, '13-contacts.png', screenshots);
      await axe(page, 'contacts');
      await brigade.getByRole('button', { name: 'Supprimer : Brigade de Val-de-Brême' }).click();
      await brigade.getByRole('button', { name: 'Oui, supprimer' }).click();
      await expect.poll(() => brigade.count()).toBe(0);

      // Audit trail filtered by object: every row is about contacts.
      await page.getByRole('link', { name: "Piste d'audit" }).click();
      await page.getByLabel('Objet (type ou identifiant)').fill('contact');
      await page.getByRole('button', { name: 'Filtrer' }).click();
      await expect.poll(async () => (await page.locator('tbody tr td:nth-child(4)').allTextContents()).sort().join(' ')).toBe('contact.create contact.delete contact.update');

      // In English, then back in French.
      await page.getByRole('button', { name: 'Display Rempart in English' }).click();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Audit trail');
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
      await page.getByRole('button', { name: 'Afficher Rempart en français' }).click();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe("Piste d'audit");

      // Someone in two organisations switches explicitly, and the header always says where they are.
      const otherOrg = await e2e.services.db.transaction().execute((trx) =>
        createOrganisation(trx, { name: 'Syndicat informatique du Val', kind: 'syndicat', siren: '200000107', dpo: { name: 'Léa Martin', email: 'dpo@si-val.test' } }),
      );
      const admin = await e2e.services.db.selectFrom('users').select('id').where('email', '=', ADMIN).executeTakeFirstOrThrow();
      await e2e.services.db.insertInto('memberships').values({ user_id: admin.id, organisation_id: otherOrg, role: 'rssi' }).execute();
      await page.getByRole('link', { name: 'Accueil' }).click();
      await page.reload();
      await page.getByLabel("Changer d'organisation").selectOption({ label: 'Syndicat informatique du Val' });
      await expect.poll(() => page.getByTestId('current-organisation').textContent()).toBe('Syndicat informatique du Val');
      expect(page.url()).toBe(`${e2e.url}/o/${otherOrg}`);
      await expect.poll(() => page.getByText('Aucun incident en cours.').count()).toBe(1);
      await page.getByLabel("Changer d'organisation").selectOption({ label: 'Commune de Val-de-Brême (démonstration)' });
      await expect.poll(() => page.getByTestId('current-organisation').textContent()).toBe('Commune de Val-de-Brême (démonstration)');

      // Monitoring probes and link checkers ask with HEAD: an app page answers like GET, an unknown API path stays a 404.
      const head = await fetch(`${e2e.url}/o/${e2e.orgId}/incidents`, { method: 'HEAD' });
      expect([head.status, head.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
      expect((await fetch(`${e2e.url}/api/v1/nothing-here`, { method: 'HEAD' })).status).toBe(404);

      // The incident page on a phone: the clock stays in view, nothing scrolls sideways.
      const phone = await e2e.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'fr-FR', timezoneId: 'Europe/Paris', storageState: await page.context().storageState() });
      const mobile = await phone.newPage();
      await mobile.goto(`${e2e.url}/o/${e2e.orgId}/incidents/${e2e.incidentId}`);
      await expect.poll(() => mobile.locator('.sticky-clock').textContent()).toMatch(/CNIL/);
      await mobile.evaluate(() => document.getElementById('taches-h')?.scrollIntoView());
      expect(await mobile.locator('.sticky-clock').isVisible()).toBe(true);
      expect(await mobile.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
      await shot(mobile, '14-telephone.png', screenshots);
      await axe(mobile, 'incident sur téléphone');
      // Leaving with unsaved changes in the notice asks first.
      await mobile.getByRole('region', { name: "Note d'information" }).getByLabel('Titre').fill('Brouillon non enregistré');
      const asked = new Promise<string>((resolve) => mobile.once('dialog', (dialog) => { resolve(dialog.type()); void dialog.accept(); }));
      await mobile.close({ runBeforeUnload: true });
      expect(await asked).toBe('beforeunload');
      await phone.close();

      // When the session ends (idle timeout, or revoked), the next action leads back to sign-in, saying why.
      await e2e.services.db.deleteFrom('sessions').execute();
      await page.getByRole('link', { name: 'Incidents' }).click();
      await expect.poll(() => page.getByRole('heading', { name: 'Connexion à Rempart' }).count()).toBe(1);
      expect(await page.getByRole('status').textContent()).toContain('Votre session a pris fin');
      // The whole walk ran under the strict CSP without the browser refusing anything.
      expect(refused).toEqual([]);
    });
  });
}
