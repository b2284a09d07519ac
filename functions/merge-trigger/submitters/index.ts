import { EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import * as z from 'zod';
import type { JobSubmitter } from '../job-submitter.ts';
import { emrServerlessSubmitter } from './emr-serverless.ts';
import { localJobServiceSubmitter } from './local-job-service.ts';

export const jobSubmitterSettings = z.discriminatedUnion('JOB_SUBMITTER', [
  z.object({ JOB_SUBMITTER: z.literal('local'), JOB_SERVICE_URL: z.url(), JOB_SERVICE_TOKEN: z.string().min(16, 'must be the job service token (local-stack/env.json)') }),
  z.object({
    JOB_SUBMITTER: z.literal('emr-serverless'),
    EMR_APPLICATION_ID: z.string().regex(/^[0-9a-z]{1,64}$/, 'must be an EMR Serverless application id'),
    EMR_JOB_ROLE_ARN: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'must be an IAM role ARN'),
    EMR_SCRIPTS_URI: z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[\w./=-]*)?$/, 'must be an s3:// URI of the Spark scripts'),
  }),
]);

export type JobSubmitterSettings = z.output<typeof jobSubmitterSettings>;

export function createJobSubmitter(settings: JobSubmitterSettings): JobSubmitter {
  switch (settings.JOB_SUBMITTER) {
    case 'local':
      return localJobServiceSubmitter(settings.JOB_SERVICE_URL, settings.JOB_SERVICE_TOKEN);
    case 'emr-serverless':
      return emrServerlessSubmitter(new EMRServerlessClient({}), {
        applicationId: settings.EMR_APPLICATION_ID,
        executionRoleArn: settings.EMR_JOB_ROLE_ARN,
        scriptsUri: settings.EMR_SCRIPTS_URI,
      });
  }
}
