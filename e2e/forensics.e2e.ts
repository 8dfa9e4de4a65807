// Log analysis in the browser: the IT provider's path through an incident — upload the vendor's
// Windows-1252 export, get the mapping wrong then right in the preview, save it for the
// organisation and pick it again after a reload, run the scan in the
// background, open the flagged account and turn it into tasks (once), with the report as evidence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '@rempart/db';
import { startE2E, type E2E } from './harness.ts';
import { axe, cspViolations, join, shot } from './helpers.ts';
import { FIXTURE_VICTIM, fixtureEvents, fixtureVendorCsv } from '../apps/server/src/modules/forensics/fixture.ts';

const pglite = testBackends().find((b) => b.name === 'pglite')!;
const screenshots = process.env.REMPART_SCREENSHOTS === '1';

describe('audit-log forensics in Chromium', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E(pglite);
  });
  afterAll(async () => e2e?.close());

  it('uploads logs, previews the mapping, scans, opens the flagged account and creates its tasks once', async () => {
    const page = await e2e.newPage();
    const csp = cspViolations(page);
    await join(page, e2e.adminInviteUrl, 'Claire Dumas', 'admin@val-de-breme.test', false);
    await page.getByRole('link', { name: 'Déclarer un incident' }).click();
    await page.getByLabel('Intitulé').fill('Compte de police municipale compromis');
    await page.getByRole('button', { name: "Déclarer l'incident" }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^INC-/);

    const logs = page.getByRole('region', { name: 'Analyse des journaux de connexion' });
    await logs.getByLabel('Fichiers de journaux').setInputFiles({ name: 'export-editeur.csv', mimeType: 'text/csv', buffer: fixtureVendorCsv(fixtureEvents()) });
    await logs.getByRole('button', { name: 'Verser les journaux' }).click();
    await expect.poll(() => logs.getByRole('status').first().textContent()).toContain('Journaux versés');
    await expect.poll(() => logs.getByRole('checkbox', { name: /export-editeur\.csv/ }).isChecked()).toBe(true);

    // A mapping naming a column the file does not have: the preview says which one.
    await logs.getByLabel('Modèle de correspondance').selectOption('custom');
    const yaml = logs.getByLabel('Correspondance (YAML)', { exact: true });
    await yaml.fill((await yaml.inputValue()).replace('user.name: Utilisateur', 'user.name: Identifiant'));
    await logs.getByRole('button', { name: 'Aperçu des premiers événements' }).click();
    await expect.poll(() => logs.getByRole('alert').first().textContent()).toContain('Identifiant');
    await axe(page, 'aperçu en erreur');

    // Put right, it is saved for the organisation under a name, and offered in the picker after a reload.
    await yaml.fill((await yaml.inputValue()).replace('user.name: Identifiant', 'user.name: Utilisateur'));
    await logs.getByLabel('Nom de la correspondance').fill('Export police municipale');
    await logs.getByRole('button', { name: 'Enregistrer la correspondance' }).click();
    await expect.poll(async () => (await logs.getByRole('status').allTextContents()).join(' ')).toContain('Correspondance « Export police municipale » enregistrée');
    await page.reload();
    const picker = logs.getByLabel('Modèle de correspondance');
    await expect.poll(() => picker.locator('optgroup[label="Correspondances enregistrées"] option').allTextContents()).toEqual(['Export police municipale']);
    await picker.selectOption({ label: 'Export police municipale' });
    expect(await logs.getByLabel('Correspondance (YAML)', { exact: true }).inputValue()).toContain('user.name: Utilisateur');
    await logs.getByRole('checkbox', { name: /export-editeur\.csv/ }).check();
    await axe(page, 'correspondance enregistrée');
    await logs.getByRole('button', { name: 'Aperçu des premiers événements' }).click();
    const preview = logs.locator('.preview table');
    await expect.poll(() => preview.locator('tbody tr').count()).toBe(20);
    expect(await preview.locator('tbody tr').first().textContent()).toMatch(/loginsuccess/);
    await axe(page, 'aperçu');

    await logs.getByRole('button', { name: 'Lancer l’analyse' }).click();
    await expect.poll(() => logs.locator('.scan').first().textContent(), { timeout: 60_000, interval: 500 }).toContain('Terminée');
    expect(await logs.locator('.scan').first().textContent()).toContain('correspondance « Export police municipale »');
    const table = logs.locator('.scan-results table');
    await expect.poll(() => table.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await table.locator('tbody tr').first().textContent()).toContain('Critique');
    await axe(page, 'comptes signalés');
    await table.scrollIntoViewIfNeeded();
    await shot(page, '15-journaux-comptes.png', screenshots);

    await logs.getByRole('button', { name: FIXTURE_VICTIM }).click();
    const detail = logs.getByRole('article', { name: `Compte ${FIXTURE_VICTIM}` });
    await expect.poll(() => detail.getByRole('img').getAttribute('aria-label')).toMatch(/^Activité quotidienne de c\.durand sur \d+ jours/);
    expect(await detail.locator('rect.bar.flagged').count()).toBeGreaterThan(0);
    expect(await detail.textContent()).toContain('échecs de connexion');
    await axe(page, 'détail du compte');
    await detail.scrollIntoViewIfNeeded();
    await shot(page, '16-journaux-detail.png', screenshots);

    await detail.getByRole('button', { name: 'Créer les tâches et l’entrée de journal' }).click();
    await expect.poll(() => detail.getByRole('status').textContent()).toContain('3 tâche(s) créée(s)');
    await detail.getByRole('button', { name: 'Créer les tâches et l’entrée de journal' }).click();
    await expect.poll(() => detail.getByRole('status').textContent()).toContain('Déjà fait pour ce compte');

    // The report is a piece of the incident, with its fingerprint.
    const report = logs.getByRole('link', { name: 'Rapport (pièce versée au dossier)' });
    const [download] = await Promise.all([page.waitForEvent('download'), report.click()]);
    expect(download.suggestedFilename()).toMatch(/^analyse-journaux-.*\.html$/);

    // The incident's task list shows them without reloading the page.
    const tasks = page.getByRole('region', { name: 'Tâches' });
    await expect.poll(() => tasks.textContent()).toContain(`Désactiver le compte ${FIXTURE_VICTIM}`);
    expect(await tasks.locator('.task', { hasText: `Réinitialiser le mot de passe de ${FIXTURE_VICTIM}` }).count()).toBe(1);

    // An export without its header: the scan fails saying where and what, never quoting the log line;
    // the engine's full words are shown on demand.
    const csv = fixtureVendorCsv(fixtureEvents());
    const headerless = csv.subarray(csv.indexOf(0x0a) + 1);
    const firstUser = headerless.subarray(0, headerless.indexOf(0x0a)).toString('latin1').split(';')[2]!;
    await logs.getByLabel('Fichiers de journaux').setInputFiles({ name: 'sans-entete.csv', mimeType: 'text/csv', buffer: headerless });
    await logs.getByRole('button', { name: 'Verser les journaux' }).click();
    await expect.poll(() => logs.getByRole('checkbox', { name: /sans-entete\.csv/ }).isChecked()).toBe(true);
    await logs.getByRole('checkbox', { name: /export-editeur\.csv/ }).uncheck();
    await logs.getByRole('button', { name: 'Lancer l’analyse' }).click();
    const failedCard = logs.locator('.scan').first();
    await expect.poll(() => failedCard.textContent(), { timeout: 60_000, interval: 500 }).toContain('Échec');
    expect(await failedCard.locator('.error-text').textContent()).toMatch(/^Analyse arrêtée : sans-entete\.csv, ligne 1, champ .* absente de l’en-tête\./);
    expect(await failedCard.textContent()).not.toContain(firstUser);
    await failedCard.getByRole('button', { name: /Voir le détail de l’erreur/ }).click();
    await expect.poll(() => failedCard.locator('pre').textContent()).toContain('Colonnes présentes');
    await axe(page, 'analyse en échec');

    // On a phone the section fits the width (tables scroll inside their own box).
    await page.setViewportSize({ width: 390, height: 800 });
    await logs.scrollIntoViewIfNeeded();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(391);
    expect(csp).toEqual([]);
  }, 120_000);
});
