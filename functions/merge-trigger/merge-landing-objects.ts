import type { S3Event, ScheduledEvent } from 'aws-lambda';
import type { FunctionDependencies } from '#lib/dependencies.ts';
import type { JobSubmitter, MergeJobRequest, SubmittedJob } from './job-submitter.ts';
import { planMerges } from './plan-merges.ts';
import { isScheduledEvent, planSweep } from './plan-sweep.ts';

export interface MergeTriggerResult {
  submitted: (SubmittedJob & { source: string; objects: number })[];
  ignored: string[];
}

export interface MergeTriggerSettings {
  landingPrefix: string;
  /** The lake bucket, which the sweep covers (an S3 event names its own bucket). */
  lakeBucket: string;
  /** Every source with a contract: the sweep merges each. */
  sources: readonly string[];
}

export type MergeTriggerDependencies = FunctionDependencies<MergeTriggerSettings> & { submitter: JobSubmitter };

/**
 * Submits merge jobs: for an S3 event, one per source found in it; for the scheduled
 * sweep, one per source for every pending object. A failed submission fails the
 * invocation, so Lambda's asynchronous retry delivers the event again; the request's
 * idempotency key keeps that retry from merging twice.
 */
export async function mergeLandingObjects(event: S3Event | ScheduledEvent, deps: MergeTriggerDependencies): Promise<MergeTriggerResult> {
  const { settings } = deps;
  const sweep = isScheduledEvent(event);
  const { requests, ignored } = sweep
    ? { requests: planSweep(event, settings), ignored: [] }
    : planMerges(event, { landingPrefix: settings.landingPrefix, isKnownSource: (source) => deps.findContract(source) !== undefined });
  const submitted = await submitAll(requests, deps.submitter);
  deps.metrics.addMetric('MergeJobsSubmitted', 'Count', submitted.length);
  deps.logger.info(sweep ? 'sweep jobs submitted' : 'merge jobs submitted', { submitted, ignored: ignored.length });
  return { submitted, ignored };
}

async function submitAll(requests: MergeJobRequest[], submitter: JobSubmitter): Promise<MergeTriggerResult['submitted']> {
  const submitted = [];
  for (const request of requests) {
    const job = await submitter.submit(request);
    submitted.push({ ...job, source: request.source, objects: request.objects.length });
  }
  return submitted;
}
