// Wires configuration, keys, database and mail into Services; used by the CLI and the tests.
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { openDatabase, type Database } from '@rempart/db';
import type { Config } from './config.ts';
import { createKeys, loadMasterKey, type Keys } from './platform/keys.ts';
import { createMailer } from './platform/mailer.ts';
import { localFileStore } from './platform/files.ts';
import type { Services } from './platform/services.ts';
import { checkpointNow } from './platform/audit.ts';
import { buildApp } from './app.ts';
import { purgeExpiredDatasets } from './modules/datasets/service.ts';
import { failInterruptedJobs } from './modules/jobs/queue.ts';
import { clearScratch } from './platform/scratch.ts';

export async function openConfiguredDatabase(config: Config): Promise<Database> {
  if (config.databaseUrl) return openDatabase({ url: config.databaseUrl });
  const dir = path.join(config.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  return openDatabase({ dataDir: dir });
}

export async function createServices(config: Config, overrides: { database?: Database; keys?: Keys; now?: () => Date } = {}): Promise<Services> {
  const keys = overrides.keys ?? createKeys(await loadMasterKey(config));
  const database = overrides.database ?? (await openConfiguredDatabase(config));
  return {
    database,
    db: database.db,
    keys,
    config,
    mailer: createMailer(config.smtpUrl, config.smtpFrom),
    files: localFileStore(path.join(config.dataDir, 'files')),
    now: overrides.now ?? (() => new Date()),
  };
}

export async function startServer(services: Services): Promise<{ url: string; close(): Promise<void> }> {
  // Before this instance polls: a job marked running belongs to a process that is gone.
  // (With several instances on one PostgreSQL, run them from one supervisor so this only happens at a full restart.)
  await failInterruptedJobs(services.db);
  await clearScratch(services);
  const app = await buildApp(services, { logger: true });
  const address = await app.listen({ port: services.config.port, host: services.config.host });
  // Leaked extracts past their retention date are purged at start-up and every hour.
  const purge = () => purgeExpiredDatasets(services).catch((error: Error) => app.log.error({ err: error }, 'retention purge failed'));
  await purge();
  const timer = setInterval(() => void purge(), 3_600_000);
  timer.unref();
  return {
    url: address,
    async close() {
      clearInterval(timer);
      await app.close();
      // Sign the head of the audit trail so that a truncation after shutdown is detectable.
      await checkpointNow(services.db, services.keys);
      await services.database.close();
    },
  };
}
