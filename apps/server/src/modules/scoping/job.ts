// Job kinds of the scoping module, listed in ../../jobs.ts.
import type { JobHandler } from '../jobs/queue.ts';
import type { Services } from '../../platform/services.ts';
import { runScopingJob } from './service.ts';
import { runCampaignJob } from './campaign.ts';

export const SCOPING_RUN = 'scoping.run';
export const SCOPING_CAMPAIGN = 'scoping.campaign';

export function scopingJobHandlers(services: Services): Record<string, JobHandler> {
  return {
    [SCOPING_RUN]: (ctx) => runScopingJob(services, ctx),
    [SCOPING_CAMPAIGN]: (ctx) => runCampaignJob(services, ctx),
  };
}
