import * as z from 'zod';
import type { JobSubmitter } from '../job-submitter.ts';
import { localJobServiceSubmitter } from './local-job-service.ts';

export const jobSubmitterSettings = z.discriminatedUnion('JOB_SUBMITTER', [
  z.object({ JOB_SUBMITTER: z.literal('local'), JOB_SERVICE_URL: z.url() }),
]);

export function createJobSubmitter(settings: z.output<typeof jobSubmitterSettings>): JobSubmitter {
  switch (settings.JOB_SUBMITTER) {
    case 'local':
      return localJobServiceSubmitter(settings.JOB_SERVICE_URL);
  }
}
