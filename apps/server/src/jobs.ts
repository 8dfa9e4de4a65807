// Every background job kind the server runs, in one list (like routes.ts): a module adds its handlers here.
import type { JobHandler } from './modules/jobs/queue.ts';
import type { Services } from './platform/services.ts';
import { FORENSICS_SCAN, forensicsScanHandler } from './modules/forensics/job.ts';
import { scopingJobHandlers, type CampaignHooks } from './modules/scoping/job.ts';

export function allJobHandlers(services: Services, hooks: CampaignHooks = {}): Record<string, JobHandler> {
  return {
    [FORENSICS_SCAN]: forensicsScanHandler(services),
    ...scopingJobHandlers(services, hooks),
  };
}
