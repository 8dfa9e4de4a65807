// Job kinds of the scoping module, listed in ../../jobs.ts.
import type { JobHandler } from '../jobs/queue.ts';
import type { Services } from '../../platform/services.ts';
import { runScopingJob } from './service.ts';
import { runCampaignJob } from './campaign.ts';

export const SCOPING_RUN = 'scoping.run';
export const SCOPING_CAMPAIGN = 'scoping.campaign';

/** `campaignEnded` wakes the receipt listener: the receipts of the SMS just sent may still come. */
export function scopingJobHandlers(services: Services, hooks: { campaignEnded?(): void } = {}): Record<string, JobHandler> {
  return {
    [SCOPING_RUN]: (ctx) => runScopingJob(services, ctx),
    [SCOPING_CAMPAIGN]: (ctx) => runCampaignJob(services, ctx).finally(() => hooks.campaignEnded?.()),
  };
}
