// Starts Rempart on a free loopback port with a fresh database and opens Chromium against it.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { TestBackend } from '@rempart/db';
import { loadConfig } from '../apps/server/src/config.ts';
import { createServices } from '../apps/server/src/bootstrap.ts';
import { buildApp, webDist } from '../apps/server/src/app.ts';
import { createKeys } from '../apps/server/src/platform/keys.ts';
import { createOrganisation } from '../apps/server/src/modules/organisations/service.ts';
import { createInvitation } from '../apps/server/src/modules/auth/service.ts';
import type { Services } from '../apps/server/src/platform/services.ts';
import { seedDemo } from '../apps/server/src/demo/seed.ts';

export interface E2E {
  url: string;
  services: Services;
  browser: Browser;
  orgId: string;
  adminInviteUrl: string;
  /** The demo incident, when started with the demo data. */
  incidentId: string | null;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export const CHROMIUM = '/usr/bin/chromium';

/** With `demo`, the database holds what the quick start creates (§7), and the admin's setup link. */
export async function startE2E(backend: TestBackend, options: { demo?: boolean } = {}): Promise<E2E> {
  if (!existsSync(path.join(webDist, 'index.html'))) throw new Error('apps/web/dist is missing: run npm run build:web first (npm test does).');
  const database = await backend.open();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'rempart-e2e-'));
  const config = loadConfig({ REMPART_DATA_DIR: dataDir, REMPART_LOG_LEVEL: 'silent' });
  const services = await createServices(config, { database, keys: createKeys(randomBytes(32)) });
  const app = await buildApp(services);
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  services.config.publicUrl = address;
  let orgId: string;
  let adminInviteUrl: string;
  let incidentId: string | null = null;
  if (options.demo) {
    const demo = await seedDemo(services);
    [orgId, adminInviteUrl, incidentId] = [demo.organisationId, demo.adminSetupUrl!, demo.incidentId];
  } else {
    orgId = await services.db.transaction().execute((trx) =>
      createOrganisation(trx, { name: 'Commune de Val-de-Brême', kind: 'commune', siren: '219499902', population: 18600, dpo: { name: 'Karim Benali', email: 'dpd@val-de-breme.test' } }),
    );
    const invitation = await createInvitation(services, { organisationId: orgId, email: 'admin@val-de-breme.test', role: 'admin', createdBy: null, ip: null, actorLabel: 'e2e' });
    adminInviteUrl = invitation.inviteUrl!;
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--lang=fr-FR'],
  });
  return {
    url: address,
    services,
    browser,
    orgId,
    adminInviteUrl,
    incidentId,
    async newPage() {
      const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', acceptDownloads: true, viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      // A step that fails should say so in seconds, not after Playwright's default 30.
      page.setDefaultTimeout(10_000);
      return page;
    },
    async close() {
      await browser.close();
      await app.close();
      await database.dispose();
    },
  };
}
