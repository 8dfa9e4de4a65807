// The server's modules that the platform commands need, in one place so that `platform.ts` loads
// them only when one of its commands runs: `rempart scope`, `rempart --help` and the other engine
// commands start without the whole server (about 1.3 s less through tsx).
export { loadConfig, type Config } from '../../../server/src/config.ts';
export { createServices, startServer } from '../../../server/src/bootstrap.ts';
export { ensureKeyFile } from '../../../server/src/platform/keys.ts';
export { checkpointNow, verifyAudit, appendAudit } from '../../../server/src/platform/audit.ts';
export { seedDemo } from '../../../server/src/demo/seed.ts';
export { createInvitation } from '../../../server/src/modules/auth/service.ts';
export { createOrganisation } from '../../../server/src/modules/organisations/service.ts';
export { purgeExpiredDatasets } from '../../../server/src/modules/datasets/service.ts';
export { restoreArchive, writeBackup } from '../../../server/src/backup/archive.ts';
