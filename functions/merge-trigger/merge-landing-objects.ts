import type { S3Event } from 'aws-lambda';
import type { JobSubmitter, SubmittedJob } from './job-submitter.ts';
import { planMerges } from './plan-merges.ts';

export interface MergeTriggerResult {
  submitted: (SubmittedJob & { source: string; objects: number })[];
  ignored: string[];
}

/**
 * Submits one merge job per source found in the event. A failed submission fails the
 * invocation, so Lambda's asynchronous retry delivers the event again; the request's
 * idempotency key keeps that retry from merging twice.
 */
export async function mergeLandingObjects(
  event: S3Event,
  submitter: JobSubmitter,
  settings: { landingPrefix: string; isKnownSource: (source: string) => boolean },
): Promise<MergeTriggerResult> {
  const { requests, ignored } = planMerges(event, settings);
  const submitted = [];
  for (const request of requests) {
    const job = await submitter.submit(request);
    submitted.push({ ...job, source: request.source, objects: request.objects.length });
  }
  return { submitted, ignored };
}
