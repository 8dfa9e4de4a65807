// Evidence in the browser: a responder uploads the vendor's log export to the incident, sees its
// SHA-256 fingerprint, and downloads exactly the same bytes back.
import { createHash } from 'node:crypto';
import iconv from 'iconv-lite';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '@rempart/db';
import { startE2E, type E2E } from './harness.ts';
import { axe, join } from './helpers.ts';

const pglite = testBackends().find((b) => b.name === 'pglite')!;

describe('incident evidence in Chromium', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E(pglite);
  });
  afterAll(async () => e2e?.close());

  it('uploads a log export, shows its fingerprint and gives back the same bytes', async () => {
    const page = await e2e.newPage();
    await join(page, e2e.adminInviteUrl, 'Claire Dumas', 'admin@val-de-breme.test', false);
    await page.getByRole('link', { name: 'Déclarer un incident' }).click();
    await page.getByLabel('Intitulé').fill('Exports suspects du logiciel métier');
    await page.getByRole('button', { name: "Déclarer l'incident" }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^INC-/);

    const content = Buffer.from('Date;Heure;Utilisateur;Action;Nb enregistrements\n19/03/2024;02:14:00;agent42;Export;1200\n', 'latin1');
    const evidence = page.getByRole('region', { name: 'Pièces et preuves' });
    await evidence.getByRole('button', { name: 'Verser la pièce' }).click();
    await expect.poll(() => evidence.getByRole('alert').textContent()).toContain('vide ou absent');
    await evidence.getByLabel('Fichier').setInputFiles({ name: 'journaux-editeur.csv', mimeType: 'text/csv', buffer: content });
    await evidence.getByLabel('Description (ce que contient la pièce, sa provenance)').fill("Export fourni par l'éditeur le 20 mars");
    await evidence.getByRole('button', { name: 'Verser la pièce' }).click();
    await expect.poll(() => evidence.getByRole('status').textContent()).toContain('Pièce versée.');
    const sha = createHash('sha256').update(content).digest('hex');
    await expect.poll(() => evidence.locator('code').first().textContent()).toBe(sha);
    await axe(page, 'pièces');

    const [download] = await Promise.all([page.waitForEvent('download'), evidence.getByRole('link', { name: 'journaux-editeur.csv' }).click()]);
    expect((await readFile((await download.path())!)).equals(content)).toBe(true);

    // The stolen records: imported encrypted, previewed in their real encoding, then purged for good.
    const extracts = page.getByRole('region', { name: 'Données extraites par l’attaquant' });
    const records = iconv.encode('Nom;Prénom;Absence du;Absence au\r\nLefèvre;Hélène;01/08/2024;20/08/2024\r\n', 'win1252');
    await extracts.getByLabel('Fichier extrait').setInputFiles({ name: 'extraction-pm.csv', mimeType: 'text/csv', buffer: records });
    await extracts.getByLabel('Durée de conservation (jours)').fill('30');
    await extracts.getByRole('button', { name: "Importer l'extrait" }).click();
    await expect.poll(() => extracts.getByRole('status').textContent()).toContain('Extrait importé et chiffré.');
    await extracts.getByRole('button', { name: /Aperçu des premières lignes/ }).click();
    await expect.poll(() => extracts.locator('figcaption').textContent()).toContain('windows-1252');
    expect(await extracts.locator('pre').textContent()).toContain('Lefèvre;Hélène');
    await axe(page, 'extraits');
    await extracts.getByRole('button', { name: /^Purger/ }).click();
    await extracts.getByLabel('Raison de la purge').fill('Personnes notifiées, campagne close');
    await extracts.getByRole('button', { name: 'Purger définitivement' }).click();
    await expect.poll(() => extracts.locator('.card .muted').textContent()).toContain('purgé le');
  });
});
