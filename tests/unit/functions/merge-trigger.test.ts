import type { S3Event, ScheduledEvent } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JobSubmitter, MergeJobRequest } from '../../../functions/merge-trigger/job-submitter.ts';
import { mergeLandingObjects } from '../../../functions/merge-trigger/merge-landing-objects.ts';
import { decodeObjectKey } from '#contracts/lake.ts';
import { planMerges } from '../../../functions/merge-trigger/plan-merges.ts';
import { isScheduledEvent } from '../../../functions/merge-trigger/plan-sweep.ts';
import { loadEvent } from '../../fixtures/events.ts';
import { testDependencies } from '../../fixtures/test-dependencies.ts';

const settings = { landingPrefix: 'landing/', isKnownSource: (source: string) => ['transactions', 'claims'].includes(source) };
const dependencies = (submitter: JobSubmitter) => ({ ...testDependencies({ landingPrefix: 'landing/', lakeBucket: 'lake', sources: ['transactions', 'claims'] }), submitter });

function recordingSubmitter(): JobSubmitter & { requests: MergeJobRequest[] } {
  const requests: MergeJobRequest[] = [];
  return {
    requests,
    submit: async (request) => {
      requests.push(request);
      return { jobId: `job-${requests.length}`, deduplicated: false };
    },
  };
}

function eventWithKeys(keys: string[]): S3Event {
  const template = loadEvent<S3Event>('merge-trigger-landing').Records[0]!;
  return {
    Records: keys.map((key, index) => ({
      ...template,
      s3: { ...template.s3, object: { ...template.s3.object, key, sequencer: `00${index}` } },
    })),
  };
}

describe('merge trigger', () => {
  it('submits one job for a landing object, with its decoded key', async () => {
    const submitter = recordingSubmitter();
    const result = await mergeLandingObjects(loadEvent('merge-trigger-landing'), dependencies(submitter));
    expect(result.submitted).toEqual([{ jobId: 'job-1', deduplicated: false, source: 'transactions', objects: 1 }]);
    expect(submitter.requests[0]).toMatchObject({
      source: 'transactions',
      bucket: 'lake',
      objects: [{ key: 'landing/transactions/ingest.transactions/partition=0/00000000000000000100-00000000000000000103.ndjson', size: 2048 }],
    });
  });

  it('counts the jobs it submitted', async () => {
    const deps = dependencies(recordingSubmitter());
    await mergeLandingObjects(loadEvent('merge-trigger-landing'), deps);
    expect(deps.metrics.addMetric).toHaveBeenCalledWith('MergeJobsSubmitted', 'Count', 1);
  });

  it('ignores objects outside the landing prefix', async () => {
    const submitter = recordingSubmitter();
    const result = await mergeLandingObjects(loadEvent('merge-trigger-outside-prefix'), dependencies(submitter));
    expect(submitter.requests).toEqual([]);
    expect(result.ignored).toHaveLength(1);
  });

  it('coalesces many objects into one request per source', () => {
    const keys = [...Array.from({ length: 5 }, (_, i) => `landing/claims/t/partition%3D${i}/a.ndjson`), 'landing/transactions/t/p/b.ndjson'];
    const { requests } = planMerges(eventWithKeys(keys), settings);
    expect(requests.map((r) => [r.source, r.objects.length])).toEqual([['claims', 5], ['transactions', 1]]);
  });

  it('gives a repeated event the same idempotency key, and different objects a different one', () => {
    const first = planMerges(eventWithKeys(['landing/claims/a.ndjson']), settings).requests[0]!;
    const again = planMerges(eventWithKeys(['landing/claims/a.ndjson']), settings).requests[0]!;
    const other = planMerges(eventWithKeys(['landing/claims/b.ndjson']), settings).requests[0]!;
    expect(again.idempotencyKey).toBe(first.idempotencyKey);
    expect(other.idempotencyKey).not.toBe(first.idempotencyKey);
  });

  it('ignores unknown sources and removals', () => {
    const removal = eventWithKeys(['landing/claims/a.ndjson']);
    removal.Records[0]!.eventName = 'ObjectRemoved:Delete';
    expect(planMerges(removal, settings).requests).toEqual([]);
    expect(planMerges(eventWithKeys(['landing/payments/a.ndjson']), settings).ignored).toEqual(['landing/payments/a.ndjson']);
  });

  it('decodes S3 keys: percent escapes and + for space', () => {
    expect(decodeObjectKey('files/my+export%282%29.csv')).toBe('files/my export(2).csv');
  });

  it('fails when a submission fails, so the event is retried', async () => {
    const failing: JobSubmitter = { submit: async () => Promise.reject(new Error('job service unavailable')) };
    await expect(mergeLandingObjects(loadEvent('merge-trigger-landing'), dependencies(failing))).rejects.toThrow('job service unavailable');
  });

  describe('scheduled sweep', () => {
    it('submits one merge of every pending object per source, naming no objects', async () => {
      const submitter = recordingSubmitter();
      const result = await mergeLandingObjects(loadEvent<ScheduledEvent>('merge-trigger-sweep'), dependencies(submitter));
      expect(submitter.requests.map(({ source, bucket, objects }) => ({ source, bucket, objects }))).toEqual([
        { source: 'transactions', bucket: 'lake', objects: [] },
        { source: 'claims', bucket: 'lake', objects: [] },
      ]);
      expect(result.submitted.map((job) => job.objects)).toEqual([0, 0]);
    });

    it('keeps its idempotency keys when the same scheduled event is delivered again, and changes them for the next one', async () => {
      const event = loadEvent<ScheduledEvent>('merge-trigger-sweep');
      const first = recordingSubmitter();
      const again = recordingSubmitter();
      const next = recordingSubmitter();
      await mergeLandingObjects(event, dependencies(first));
      await mergeLandingObjects(structuredClone(event), dependencies(again));
      await mergeLandingObjects({ ...event, id: 'a-later-firing' }, dependencies(next));
      const keys = (submitter: { requests: MergeJobRequest[] }) => submitter.requests.map((request) => request.idempotencyKey);
      expect(keys(again)).toEqual(keys(first));
      expect(new Set([...keys(first), ...keys(next)]).size).toBe(4);
    });

    it('tells a scheduled event from an S3 event', () => {
      expect(isScheduledEvent(loadEvent('merge-trigger-sweep'))).toBe(true);
      expect(isScheduledEvent(loadEvent('merge-trigger-landing'))).toBe(false);
      expect(isScheduledEvent({ 'detail-type': 'Scheduled Event', source: 'my.app' })).toBe(false);
      // Without its id every sweep would share the first one's idempotency keys.
      expect(isScheduledEvent({ ...loadEvent<ScheduledEvent>('merge-trigger-sweep'), id: undefined })).toBe(false);
      expect(isScheduledEvent({ ...loadEvent<ScheduledEvent>('merge-trigger-sweep'), id: '' })).toBe(false);
      expect(isScheduledEvent(null)).toBe(false);
    });

    it('turns any event id, card numbers and megabytes included, into fixed-size keys that do not carry it', async () => {
      const event = loadEvent<ScheduledEvent>('merge-trigger-sweep');
      const ids = fc.oneof(fc.string({ minLength: 1 }), fc.constant('4111 1111 1111 1111'), fc.string({ minLength: 1 }).map((text) => text.repeat(10_000)));
      await fc.assert(
        fc.asyncProperty(ids, ids, async (id, other) => {
          const submitter = recordingSubmitter();
          await mergeLandingObjects({ ...event, id }, dependencies(submitter));
          for (const request of submitter.requests) expect(request.idempotencyKey).toMatch(/^[0-9a-f]{32}$/);
          const again = recordingSubmitter();
          await mergeLandingObjects({ ...event, id: other }, dependencies(again));
          const same = submitter.requests.map((request) => request.idempotencyKey).join() === again.requests.map((request) => request.idempotencyKey).join();
          expect(same).toBe(id === other);
        }),
        { numRuns: 200 },
      );
    });
  });
});
