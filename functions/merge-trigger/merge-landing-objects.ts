import type { S3Event } from 'aws-lambda';
import type { FunctionDependencies } from '#lib/dependencies.ts';
import type { JobSubmitter, SubmittedJob } from './job-submitter.ts';
import { planMerges } from './plan-merges.ts';

export interface MergeTriggerResult {
  submitted: (SubmittedJob & { source: string; objects: number })[];
  ignored: string[];
}

export type MergeTriggerDependencies = FunctionDependencies<{ landingPrefix: string }> & { submitter: JobSubmitter };

/**
 * Submits one merge job per source found in the event. A failed submission fails the
 * invocation, so Lambda's asynchronous retry delivers the event again; the request's
 * idempotency key keeps that retry from merging twice.
 */
export async function mergeLandingObjects(event: S3Event, deps: MergeTriggerDependencies): Promise<MergeTriggerResult> {
  const { requests, ignored } = planMerges(event, {
    landingPrefix: deps.settings.landingPrefix,
    isKnownSource: (source) => deps.findContract(source) !== undefined,
  });
  const submitted = [];
  for (const request of requests) {
    const job = await deps.submitter.submit(request);
    submitted.push({ ...job, source: request.source, objects: request.objects.length });
  }
  deps.metrics.addMetric('MergeJobsSubmitted', 'Count', submitted.length);
  deps.logger.info('merge jobs submitted', { submitted, ignored: ignored.length });
  return { submitted, ignored };
}
