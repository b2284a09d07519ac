import { createHash } from 'node:crypto';
import type { S3Event } from 'aws-lambda';
import { decodeObjectKey, sourceOfObjectKey } from '#contracts/lake.ts';
import type { LandingObject, MergeJobRequest } from './job-submitter.ts';

/**
 * Turns the records of an S3 event into merge requests: objects created under the
 * landing prefix, one request per bucket and source however many objects arrived.
 * Anything else (other prefixes, deletions, unknown sources) is left out and reported.
 */
export function planMerges(
  event: S3Event,
  settings: { landingPrefix: string; isKnownSource: (source: string) => boolean },
): { requests: MergeJobRequest[]; ignored: string[] } {
  const groups = new Map<string, { source: string; bucket: string; objects: Map<string, LandingObject> }>();
  const ignored: string[] = [];
  for (const record of event.Records ?? []) {
    const key = decodeObjectKey(record.s3.object.key);
    const source = sourceOfObjectKey(key, settings.landingPrefix);
    if (!record.eventName.startsWith('ObjectCreated:') || !source || !settings.isKnownSource(source)) {
      ignored.push(key);
      continue;
    }
    const bucket = record.s3.bucket.name;
    const groupKey = `${bucket}/${source}`;
    const group = groups.get(groupKey) ?? { source, bucket, objects: new Map() };
    // The same object may appear twice in a redelivered event; keep the latest write.
    const previous = group.objects.get(key);
    const object = { key, size: record.s3.object.size ?? 0, eTag: record.s3.object.eTag ?? '', sequencer: record.s3.object.sequencer ?? '' };
    if (!previous || previous.sequencer < object.sequencer) group.objects.set(key, object);
    groups.set(groupKey, group);
  }
  const requests = [...groups.values()].map(({ source, bucket, objects }) => {
    const sorted = [...objects.values()].sort((a, b) => a.key.localeCompare(b.key));
    return { source, bucket, objects: sorted, idempotencyKey: idempotencyKeyFor(bucket, sorted) };
  });
  return { requests, ignored };
}

function idempotencyKeyFor(bucket: string, objects: LandingObject[]): string {
  const hash = createHash('sha256').update(bucket);
  for (const object of objects) hash.update(`\n${object.key}\n${object.eTag}\n${object.sequencer}`);
  return hash.digest('hex').slice(0, 32);
}
