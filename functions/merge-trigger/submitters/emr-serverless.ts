import { type EMRServerlessClient, StartJobRunCommand } from '@aws-sdk/client-emr-serverless';
import type { JobSubmitter, MergeJobRequest, SubmittedJob } from '../job-submitter.ts';

export interface EmrServerlessSettings {
  applicationId: string;
  executionRoleArn: string;
  /** S3 prefix with merge_job.py and ledgerflow_spark.zip (built by spark/package-emr.sh). */
  scriptsUri: string;
}

/** Above this, the job merges every pending object instead of naming them (argument size). */
export const maxNamedObjects = 50;

/** Delta Lake as shipped in the EMR release; the session settings live in the job itself. */
const deltaJars = ['/usr/share/aws/delta/lib/delta-spark.jar', '/usr/share/aws/delta/lib/delta-storage.jar'];

/** The merge job's command line: source, bucket and the landing objects, or all pending. */
export function mergeJobArguments(request: MergeJobRequest): string[] {
  const objects =
    request.objects.length > 0 && request.objects.length <= maxNamedObjects
      ? ['--objects', request.objects.map((object) => object.key).join(',')]
      : ['--all-pending'];
  return ['--source', request.source, '--bucket', request.bucket, ...objects, '--run-id', request.idempotencyKey];
}

/**
 * Starts the merge as an EMR Serverless job run. The idempotency key is the client
 * token, so a repeated S3 event within EMR's idempotency window starts no second run;
 * outside it, the job's own ledger (the raw table) makes a repeated run a no-op.
 */
export function emrServerlessSubmitter(client: EMRServerlessClient, settings: EmrServerlessSettings): JobSubmitter {
  const scripts = settings.scriptsUri.replace(/\/+$/, '');
  return {
    async submit(request: MergeJobRequest): Promise<SubmittedJob> {
      const output = await client.send(
        new StartJobRunCommand({
          applicationId: settings.applicationId,
          executionRoleArn: settings.executionRoleArn,
          clientToken: request.idempotencyKey,
          name: `merge-${request.source}`,
          jobDriver: {
            sparkSubmit: {
              entryPoint: `${scripts}/merge_job.py`,
              entryPointArguments: mergeJobArguments(request),
              sparkSubmitParameters: `--py-files ${scripts}/ledgerflow_spark.zip --conf spark.jars=${deltaJars.join(',')}`,
            },
          },
        }),
      );
      if (!output.jobRunId) throw new Error(`EMR Serverless started no job run for ${request.source}`);
      return { jobId: output.jobRunId, deduplicated: false };
    },
  };
}
