// Breach scoping in the browser: the DPO uploads the stolen extract, maps its columns from the
// suggestion, runs the analysis, sees persons masked, reveals one, settles an uncertain pair and
// sends the figures into the CNIL dossier.
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '@rempart/db';
import { generateSynthetic, parseSmppUrl, syntheticCsv } from '@rempart/scoping';
import { smppAccount, startReceiptListener, type ReceiptListener } from '../apps/server/src/modules/scoping/receipts.ts';
import { startE2E, type E2E } from './harness.ts';
import { axe, join, shot } from './helpers.ts';

const pglite = testBackends().find((b) => b.name === 'pglite')!;
const screenshots = process.env.REMPART_SCREENSHOTS === '1';

const smpp = createRequire(import.meta.url)('smpp');

describe('breach scoping in Chromium', () => {
  let e2e: E2E;
  // A real SMPP server that accepts the late-receipt listener's bind (and sends nothing).
  let smsc: { listen(port: number, host: string, cb: () => void): void; close(cb: () => void): void; address(): AddressInfo } | null = null;
  let listener: ReceiptListener | null = null;
  beforeAll(async () => {
    e2e = await startE2E(pglite);
    smsc = smpp.createServer((session: any) => {
      for (const kind of ['transceiver', 'receiver']) session.on(`bind_${kind}`, (pdu: any) => session.send(pdu.response()));
      session.on('enquire_link', (pdu: any) => session.send(pdu.response()));
      session.on('unbind', (pdu: any) => { session.send(pdu.response()); session.close(); });
    });
    await new Promise<void>((r) => smsc!.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    await listener?.stop();
    await e2e?.close();
    await new Promise<void>((r) => (smsc ? smsc.close(() => r()) : r()));
  });

  it('upload → map → run → persons masked → reveal → review → figures to the CNIL dossier', async () => {
    const page = await e2e.newPage();
    await join(page, e2e.adminInviteUrl, 'Claire Dumas', 'admin@val-de-breme.test', false);
    await page.getByRole('link', { name: 'Déclarer un incident' }).click();
    await page.getByLabel('Intitulé').fill('Vol du fichier de la police municipale');
    await page.getByRole('button', { name: "Déclarer l'incident" }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^INC-/);

    const extracts = page.getByRole('region', { name: 'Données extraites par l’attaquant' });
    await extracts.getByLabel('Fichier extrait').setInputFiles({ name: 'extraction-pm.csv', mimeType: 'text/csv', buffer: Buffer.from(syntheticCsv(generateSynthetic(150, 11))) });
    await extracts.getByRole('button', { name: "Importer l'extrait" }).click();
    await expect.poll(() => extracts.getByRole('status').textContent()).toContain('Extrait importé et chiffré.');
    await extracts.getByRole('button', { name: /Analyser le périmètre/ }).click();

    // The mapping proposed from the header, checked on the first rows, then saved.
    const yaml = extracts.getByLabel('Correspondance (YAML)');
    await expect.poll(() => yaml.inputValue()).toContain('person.birth_date: Date de naissance');
    await extracts.getByRole('button', { name: 'Aperçu des valeurs lues' }).click();
    const parsed = extracts.getByRole('table', { name: 'Premières lignes telles qu’elles seront analysées' });
    await expect.poll(() => parsed.locator('thead').textContent()).toContain('person.last_name');
    await yaml.fill((await yaml.inputValue()).replace('person.city: Ville', 'person.city: Commune'));
    await extracts.getByRole('button', { name: 'Aperçu des valeurs lues' }).click();
    await expect.poll(() => extracts.getByRole('alert').first().textContent()).toContain('colonne « Commune » absente');
    await yaml.fill((await yaml.inputValue()).replace('person.city: Commune', 'person.city: Ville'));
    await extracts.getByRole('button', { name: 'Enregistrer la correspondance' }).click();
    await expect.poll(() => extracts.getByText('Correspondance enregistrée avec l’extrait.').count()).toBe(1);
    await axe(page, 'correspondance');

    // The analysis runs in the background; its figures appear when it is done.
    await extracts.getByRole('button', { name: 'Lancer l’analyse' }).click();
    await expect.poll(() => extracts.locator('.run-detail').count(), { timeout: 60_000 }).toBe(1);
    const figures = await extracts.locator('.run-detail .facts').first().textContent();
    expect(figures).toMatch(/\d+ personnes distinctes \(entre \d+ et \d+\)/);
    await extracts.locator('.run-detail').scrollIntoViewIfNeeded();
    await shot(page, '17-perimetre-chiffres.png', screenshots);

    // Persons masked; revealing one shows the full name and is recorded.
    const persons = extracts.getByRole('region', { name: '3. Personnes concernées' });
    const firstRow = persons.locator('tbody tr').first();
    await expect.poll(() => firstRow.locator('td').first().textContent()).toMatch(/^\S\*+ \S\.$/);
    await firstRow.getByRole('button', { name: /Révéler/ }).click();
    await expect.poll(() => firstRow.textContent()).toContain('révélé (tracé)');
    expect(await firstRow.locator('td').first().textContent()).not.toContain('*');
    const reveals = await e2e.services.db.selectFrom('audit_log').select('details').where('object_type', '=', 'scoping_person').execute();
    expect(reveals).toHaveLength(1);
    await persons.getByLabel('Risque').selectOption('phishing');
    await expect.poll(() => persons.locator('tbody tr').first().locator('td').nth(3).textContent()).toContain('hameçonnage');
    await axe(page, 'personnes');
    await persons.scrollIntoViewIfNeeded();
    await shot(page, '18-perimetre-personnes.png', screenshots);

    // An uncertain pair, side by side, settled by the reviewer.
    const review = extracts.locator('section[aria-labelledby="review-h"]');
    await expect.poll(() => review.getByRole('status').textContent()).toMatch(/\d+ paires restent à vérifier/);
    const before = Number((await review.getByRole('status').textContent())!.match(/^(\d+)/)![1]);
    expect(before).toBeGreaterThan(0);
    await review.locator('.review-list > li').first().getByRole('button', { name: /^Même personne/ }).click();
    await expect.poll(() => review.locator('.review-list > li').first().textContent()).toContain('Même personne — décidé par Claire Dumas');
    await expect.poll(() => review.getByRole('status').textContent()).toContain(`${before - 1} paires restent à vérifier`);
    await review.scrollIntoViewIfNeeded();
    await shot(page, '19-perimetre-revue.png', screenshots);

    // The figures go into the CNIL dossier only once confirmed.
    const toCnil = extracts.locator('section[aria-labelledby="tocnil-h"]');
    await toCnil.getByRole('button', { name: 'Préparer les chiffres pour le dossier CNIL' }).click();
    const send = toCnil.getByRole('button', { name: 'Verser au dossier CNIL' });
    expect(await send.isDisabled()).toBe(true);
    await toCnil.getByLabel(/J’ai vérifié ces chiffres/).check();
    await send.click();
    await expect.poll(() => toCnil.getByRole('status').textContent()).toContain('Chiffres versés au dossier CNIL');
    const persons_ = Number(figures!.match(/(\d+) personnes distinctes/)![1]);
    const dossier = await e2e.services.db.selectFrom('cnil_dossiers').select('dossier').executeTakeFirstOrThrow();
    expect((dossier.dossier as { persons: { approxCount: number } }).persons.approxCount).toBe(persons_);
    await axe(page, 'analyse');

    // The notification campaign: an SMS dry run, minors held back as in the CLI, followed up per channel.
    const campaign = extracts.locator('section[aria-labelledby="campaign-h"]');
    await expect.poll(() => campaign.textContent()).toContain('aucun courriel ni SMS n’est adressé directement à un mineur');
    await campaign.getByLabel('Courriel', { exact: true }).uncheck();
    await campaign.getByLabel('SMS', { exact: true }).check();
    await expect.poll(() => campaign.textContent()).toContain('Envoi réel impossible, serveur non configuré sur la plateforme : SMS.');
    expect(await campaign.getByRole('button', { name: 'Envoyer' }).isDisabled()).toBe(true);
    // The operator's account is configured now (the real sending above was refused without it): the
    // server's listener binds for the receipt still awaited below.
    const smppUrl = `smpp://mairie:s3cret@127.0.0.1:${smsc!.address().port}`;
    e2e.services.config.smpp = { url: smppUrl, sender: 'MAIRIE', receiptWaitMs: 0, receiptMaxMs: 72 * 3_600_000 };
    // An SMS that left in an earlier real campaign (to someone this dry run does not count) and whose
    // receipt has not come back yet, and one sent before receipts were followed per part (no part row).
    const db = e2e.services.db;
    const run = await db.selectFrom('scoping_runs').select(['id', 'organisation_id']).where('status', '=', 'done').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    const earlier = await db.insertInto('scoping_campaigns').values({ organisation_id: run.organisation_id, run_id: run.id, dry_run: false, per_minute: 60, channels: JSON.stringify(['sms']) as never, status: 'done', created_by_name: 'Claire Dumas', created_at: new Date(Date.now() - 60_000), finished_at: new Date(Date.now() - 50_000) }).returning('id').executeTakeFirstOrThrow();
    const sentAt = new Date(Date.now() - 55_000);
    const sms = await db.insertInto('scoping_deliveries').values({ organisation_id: run.organisation_id, run_id: run.id, campaign_id: earlier.id, person_ref: 'P999999', channel: 'sms', status: 'sent', message_id: 'SMSC-1', at: sentAt }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('scoping_sms_parts').values({ organisation_id: run.organisation_id, delivery_id: sms.id, account: smppAccount(parseSmppUrl(smppUrl)), part_id: 'SMSC-1', seq: 0, number_hash: 'h', sent_at: sentAt }).execute();
    await db.insertInto('scoping_deliveries').values({ organisation_id: run.organisation_id, run_id: run.id, campaign_id: earlier.id, person_ref: 'P999998', channel: 'sms', status: 'sent', message_id: 'SMSC-0', at: sentAt }).execute();
    listener = startReceiptListener(e2e.services, { checkMs: 60_000 });
    await expect.poll(() => listener!.state, { timeout: 20_000 }).toBe('listening');
    await campaign.getByRole('button', { name: 'Simulation' }).click();
    const runs = campaign.locator('ul').last();
    await expect.poll(() => runs.textContent(), { timeout: 30_000 }).toMatch(/Simulation \(SMS\) — terminée — SMS à joindre (\d+), SMS simulés \1, SMS parties \d+/);
    const planned = Number((await runs.textContent())!.match(/SMS à joindre (\d+)/)![1]);
    expect(planned).toBeGreaterThan(0);
    const smsRow = campaign.getByRole('table', { name: 'Suivi par canal' }).locator('tbody tr').nth(1);
    // Planned, sent, failed, interrupted, pending, delivered, not delivered, late, awaited, without receipt, receipt not followed.
    await expect.poll(() => smsRow.textContent()).toBe(`SMS${planned}200${planned - 2}000101`);
    expect(await campaign.textContent()).toContain('1 SMS ont été envoyés avant le suivi des accusés de réception');
    await expect.poll(() => campaign.locator('.listener-status').textContent()).toMatch(/^Écoute des accusés de réception tardifs \(mairie@127\.0\.0\.1\) : à l’écoute depuis le \d{2}\/\d{2}\/\d{4}/);
    expect(await campaign.locator('.listener-status').textContent()).not.toContain('s3cret');
    await campaign.getByText('Accusé de réception encore attendu pour 1 SMS').click();
    const awaiting = campaign.getByRole('table', { name: 'SMS en attente d’accusé de réception' });
    await expect.poll(() => awaiting.locator('tbody tr').textContent()).toMatch(/^P999999\d{2}\/\d{2}\/\d{4}/);
    const stored = await e2e.services.db.selectFrom('scoping_deliveries').select(['channel', 'status']).where('status', '=', 'simulated').execute();
    expect(stored.filter((d) => d.channel === 'sms')).toHaveLength(planned);
    await axe(page, 'campagne');
    await campaign.scrollIntoViewIfNeeded();
    await shot(page, '20-perimetre-campagne-sms.png', screenshots);

    // On a phone, wide tables scroll inside their frame; the page itself does not.
    await page.setViewportSize({ width: 375, height: 800 });
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap')).slice(0, 5).map((e) => `${e.tagName}.${e.className}`));
    expect(wide).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(376);
  });
});
