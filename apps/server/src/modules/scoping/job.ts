// Job kinds of the scoping module, listed in ../../jobs.ts.
import type { JobHandler } from '../jobs/queue.ts';
import type { Services } from '../../platform/services.ts';
import { runScopingJob } from './service.ts';
import { runCampaignJob } from './campaign.ts';

export const SCOPING_RUN = 'scoping.run';
export const SCOPING_CAMPAIGN = 'scoping.campaign';

/**
 * The receipt listener steps aside while a campaign runs (`campaignStarting`: the campaign's session
 * records every receipt, and an account may allow one bind only), then looks again (`campaignEnded`):
 * the receipts of the SMS just sent may still come.
 */
export interface CampaignHooks { campaignStarting?(): Promise<void>; campaignEnded?(): void }

export function scopingJobHandlers(services: Services, hooks: CampaignHooks = {}): Record<string, JobHandler> {
  return {
    [SCOPING_RUN]: (ctx) => runScopingJob(services, ctx),
    [SCOPING_CAMPAIGN]: async (ctx) => {
      await hooks.campaignStarting?.();
      try {
        return await runCampaignJob(services, ctx);
      } finally {
        hooks.campaignEnded?.();
      }
    },
  };
}
