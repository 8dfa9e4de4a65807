// Job kinds of the scoping module, listed in ../../jobs.ts.
import type { JobHandler } from '../jobs/queue.ts';
import type { Services } from '../../platform/services.ts';
import { runScopingJob } from './service.ts';
import { runCampaignJob } from './campaign.ts';

export function scopingJobHandlers(services: Services): Record<string, JobHandler> {
  return {
    'scoping.run': (ctx) => runScopingJob(services, ctx),
    'scoping.campaign': (ctx) => runCampaignJob(services, ctx),
  };
}
