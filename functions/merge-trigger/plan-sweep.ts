import { createHash } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import type { MergeJobRequest } from './job-submitter.ts';

/**
 * EventBridge's scheduled-rule event (SAM `Type: Schedule`), as opposed to an S3 event. It
 * must carry its id: the sweep's idempotency keys derive from it, and a missing one would
 * make every later sweep a duplicate of the first.
 */
export function isScheduledEvent(event: unknown): event is ScheduledEvent {
  const candidate = event as Partial<ScheduledEvent> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    candidate['detail-type'] === 'Scheduled Event' &&
    candidate.source === 'aws.events' &&
    typeof candidate.id === 'string' &&
    candidate.id !== ''
  );
}

/**
 * The sweep: one merge of every pending landing object per source (no objects named). It
 * completes what a failed job run or a lost S3 event left behind, since nothing else
 * resubmits them. A retried delivery of the same scheduled event keeps its idempotency key,
 * so it starts no second run.
 */
export function planSweep(event: ScheduledEvent, settings: { lakeBucket: string; sources: readonly string[] }): MergeJobRequest[] {
  return settings.sources.map((source) => ({
    source,
    bucket: settings.lakeBucket,
    objects: [],
    idempotencyKey: createHash('sha256').update(`sweep\n${event.id}\n${settings.lakeBucket}\n${source}`).digest('hex').slice(0, 32),
  }));
}
