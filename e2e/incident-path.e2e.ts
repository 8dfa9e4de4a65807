// The "done means" path in a real browser: an administrator enrols MFA and invites a DPO;
// the DPO declares an incident, writes in the journal, completes tasks, fills the CNIL dossier,
// downloads the PDF, and the test reads the figures back from it. Screenshots feed the user guide.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '@rempart/db';
import { pdfText } from '@rempart/documents';
import { startE2E, type E2E } from './harness.ts';
import { axe, join, shot } from './helpers.ts';


for (const backend of testBackends()) {
  describe.skipIf(backend.skipReason)(`the 72-hour path in Chromium on ${backend.name}`, () => {
    let e2e: E2E;
    // The user guide's pictures are refreshed on demand (npm run docs:screenshots), not on every run.
    const screenshots = backend.name === 'pglite' && process.env.REMPART_SCREENSHOTS === '1';
    beforeAll(async () => {
      e2e = await startE2E(backend);
    });
    afterAll(async () => e2e?.close());

    it('takes a DPO from invitation to a complete CNIL dossier', async () => {
      // The administrator joins, enrols MFA and invites the DPO.
      const admin = await e2e.newPage();
      await join(admin, e2e.adminInviteUrl, 'Claire Dumas', 'admin@val-de-breme.test', screenshots);
      expect(await admin.getByTestId('current-organisation').textContent()).toBe('Commune de Val-de-Brême');
      await axe(admin, 'tableau de bord');
      await admin.getByRole('link', { name: 'Utilisateurs' }).click();
      await admin.getByLabel('Courriel').fill('dpo@val-de-breme.test');
      await admin.getByLabel('Rôle').last().selectOption('dpo');
      await admin.getByRole('button', { name: "Envoyer l'invitation" }).click();
      const inviteUrl = (await admin.getByTestId('invite-url').textContent())!.trim();
      expect(inviteUrl).toContain('/invitation/');
      await shot(admin, '04-utilisateurs.png', screenshots);
      await axe(admin, 'utilisateurs');

      // The DPO joins (MFA is mandatory for the role) and declares the incident.
      const dpo = await e2e.newPage();
      await join(dpo, inviteUrl, 'Karim Benali', 'dpo@val-de-breme.test', false);
      await dpo.getByRole('link', { name: 'Déclarer un incident' }).click();
      await dpo.getByLabel("Type d'incident").selectOption('exfiltration');
      await dpo.getByLabel('Intitulé').fill('Exfiltration du logiciel de la police municipale');
      await dpo.getByLabel('Comment a-t-il été détecté ?').fill("L'éditeur signale des exports massifs depuis le compte d'un agent.");
      await dpo.getByLabel('Catégories de données (une par ligne)').fill("identité\ncoordonnées\npériodes d'absence (OTV)");
      await dpo.getByLabel('Nombre approximatif de personnes').fill('9876');
      await dpo.getByLabel("Nombre approximatif d'enregistrements").fill('24680');
      await shot(dpo, '05-declarer.png', screenshots);
      await axe(dpo, 'déclaration');
      await dpo.getByRole('button', { name: "Déclarer l'incident" }).click();
      await expect.poll(() => dpo.getByRole('heading', { level: 1 }).textContent()).toMatch(/^INC-\d{4}-001 — Exfiltration/);
      expect(await dpo.locator('.sticky-clock').textContent()).toMatch(/Notification CNIL : (2 j|3 j|71|72)/);

      // Journal: an entry, then a correction that points at it.
      await dpo.getByLabel('Texte').first().fill("Compte de l'agent désactivé chez l'éditeur à 9 h 10.");
      await dpo.getByRole('button', { name: 'Ajouter au journal' }).click();
      await expect.poll(() => dpo.locator('.timeline-item').count()).toBe(2);
      await dpo.getByRole('button', { name: 'Corriger' }).last().click();
      await dpo.getByLabel('Texte').first().fill('Désactivé à 9 h 40 et non 9 h 10.');
      await dpo.getByRole('button', { name: 'Ajouter au journal' }).click();
      await expect.poll(() => dpo.locator('.timeline-item.kind-correction').count()).toBe(1);

      // Tasks: one done, one not applicable with its reason.
      await dpo.getByRole('button', { name: /Marquer « fait » : Isoler les systèmes/ }).click();
      await expect.poll(() => dpo.locator('.task.status-done').count()).toBe(1);
      await dpo.getByRole('button', { name: /Sans objet : Alerter le prestataire/ }).click();
      await dpo.getByLabel('Pourquoi cette tâche est-elle sans objet ?').fill("Logiciel hébergé par l'éditeur, déjà prévenu.");
      await dpo.getByRole('button', { name: 'Confirmer « sans objet »' }).click();
      await expect.poll(() => dpo.locator('.task.status-not_applicable').count()).toBe(1);
      await dpo.evaluate(() => document.getElementById('taches-h')?.scrollIntoView());
      await shot(dpo, '06-taches.png', screenshots);

      // CNIL dossier: fill what is missing, save, record the initial notification.
      await dpo.locator('#cnil').scrollIntoViewIfNeeded();
      expect(await dpo.locator('#cnil .alert-warn').textContent()).toMatch(/Complétude : \d+ sur \d+/);
      const cnil = dpo.getByRole('region', { name: 'Dossier CNIL' });
      await cnil.getByLabel('Début inconnu').check();
      await cnil.getByLabel('Perte de confidentialité').check();
      await cnil.getByLabel('Catégories de personnes (une par ligne)').fill('requérants\nvictimes\ntémoins');
      await cnil.getByLabel('Conséquences probables pour les personnes').fill('Escroqueries par faux appels de police, cambriolages des domiciles en OTV.');
      await cnil.getByLabel('Mesures prises', { exact: true }).fill('Compte désactivé, mots de passe réinitialisés, exports retirés.');
      await cnil.getByLabel('Mesures envisagées').fill('Audit des journaux de tous les agents.');
      await cnil.getByLabel('Information des personnes').selectOption('planned');
      await cnil.getByLabel("Modalités de l'information").fill('Appel téléphonique puis courrier.');
      await cnil.getByLabel("Des personnes d'autres États de l'UE sont concernées").selectOption('no');
      await cnil.getByLabel('Niveau de risque pour les personnes').selectOption('eleve');
      await cnil.getByRole('button', { name: 'Enregistrer le dossier' }).click();
      await expect.poll(() => dpo.locator('#cnil > p.alert').textContent()).toContain('Dossier complet');
      await dpo.locator('#cnil-h').scrollIntoViewIfNeeded();
      await dpo.evaluate(() => document.getElementById('cnil-h')?.scrollIntoView());
      await shot(dpo, '07-dossier-cnil.png', screenshots);
      await axe(dpo, 'incident');
      await dpo.getByRole('button', { name: 'Enregistrer la notification initiale faite à la CNIL' }).click();
      await expect.poll(() => dpo.locator('.sticky-clock').textContent()).toContain('CNIL notifiée dans les délais');

      // The PDF, downloaded as a person would, read back.
      const [download] = await Promise.all([dpo.waitForEvent('download'), dpo.getByRole('link', { name: 'Dossier CNIL (PDF)' }).click()]);
      const text = await pdfText(await readFile((await download.path())!));
      expect(text).toContain('Commune de Val-de-Brême');
      expect(text).toContain('9 876');
      expect(text).toContain('24 680');
      expect(text).toContain('requérants, victimes, témoins');
      expect(text).toContain('Dossier complet');
      expect(text).toContain('Risque élevé pour les droits et libertés des personnes');

      // A complementary notification states only what changed since the initial one.
      await cnil.getByLabel('Mesures envisagées').fill('Audit des journaux de tous les agents ; formation des agents habilités.');
      await cnil.getByRole('button', { name: 'Enregistrer une notification complémentaire' }).click();
      await expect.poll(() => cnil.getByText(/^Éléments transmis :/).textContent()).toBe('Éléments transmis : Mesures envisagées');
      expect(await cnil.getByText(/^Notification complémentaire le/).count()).toBe(1);

      // Back on the dashboard, the clock says it in words.
      await dpo.getByRole('link', { name: 'Accueil' }).click();
      await expect.poll(() => dpo.locator('.clock').first().textContent()).toContain('CNIL notifiée dans les délais');
      await shot(dpo, '08-accueil.png', screenshots);

      // The administrator sees it all in the audit trail.
      await admin.getByRole('link', { name: "Piste d'audit" }).click();
      await expect.poll(() => admin.locator('tbody tr').count()).toBeGreaterThan(10);
      expect(await admin.locator('tbody').textContent()).toContain('cnil.submit');
      await shot(admin, '09-audit.png', screenshots);
      await axe(admin, 'audit');
    });

    it('shows a phone-sized layout without horizontal scrolling', async () => {
      const context = await e2e.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'fr-FR' });
      const page = await context.newPage();
      await page.goto(e2e.url);
      await expect.poll(() => page.getByRole('heading', { name: 'Connexion à Rempart' }).count()).toBe(1);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await axe(page, 'connexion mobile');
      await context.close();
    });
  });
}
