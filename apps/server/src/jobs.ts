// Every background job kind the server runs, in one list (like routes.ts): a module adds its handlers here.
import type { JobHandler } from './modules/jobs/queue.ts';
import type { Services } from './platform/services.ts';

export function allJobHandlers(_services: Services): Record<string, JobHandler> {
  return {};
}
