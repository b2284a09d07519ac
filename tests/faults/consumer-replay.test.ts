import { GetObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { lakePrefixes } from '#contracts/lake.ts';
import { stackSettings } from '../../local-stack/stack.config.ts';
import { duplicateRows } from '../../tools/pipeline/duplicate-rows.ts';
import { startRuntime } from '../../tools/pipeline/local-services.ts';
import { sendRecords } from '../../tools/pipeline/send-records.ts';
import { lakeClient, listKeys } from '../../tools/pipeline/settle.ts';
import { generateSample } from '../../tools/sample-data/generate-sample.ts';
import { useLocalRuntime } from '../e2e/support.ts';
import { endOffsets, resetOffsets, topicOf, validateGroup, waitUntilCommitted } from './consumer-groups.ts';
import { waitUntilSwept } from './merge-service.ts';
import { ValidatedEvents } from './validated-events.ts';

const runId = `replay${Date.now().toString(36)}-`;
const source = 'policies';
const local = useLocalRuntime();

/** Key -> ETag of the source topic's landing and quarantine objects. */
async function objectsOfTopic(): Promise<Map<string, string>> {
  const s3 = lakeClient();
  const [landing, quarantine] = await Promise.all([lakePrefixes.landing, lakePrefixes.quarantine].map((prefix) => listKeys(s3, `${prefix}${source}/${topicOf(source)}/`)));
  return new Map([...landing!, ...quarantine!]);
}

/** The event ids on the lines of the objects. */
async function eventIdsIn(keys: string[]): Promise<string[]> {
  const s3 = lakeClient();
  const ids: string[] = [];
  for (const key of keys) {
    const body = await (await s3.send(new GetObjectCommand({ Bucket: stackSettings.lakeBucket, Key: key }))).Body!.transformToString();
    for (const line of body.split('\n')) if (line.trim()) ids.push(String((JSON.parse(line) as { eventId?: string }).eventId));
  }
  return ids;
}

describe('the validate consumer group reset to offset zero', () => {
  it('a consumer-group replay from offset zero rewrites identical records (no duplicate rows)', async () => {
    const validated = new ValidatedEvents();
    const sample = generateSample({ source, count: 60, seed: 9, keyPrefix: runId }).map((entry) => entry.record);
    const sent = await sendRecords({ apiUrl: local.runtime.apiUrl, token: local.token, source, records: sample, batchSize: 20, concurrency: 1 });
    expect(sent.refused).toEqual([]);
    await validated.waitFor(
      sent.accepted.map((record) => record.eventId),
      120_000,
    );
    const ends = await endOffsets(topicOf(source), [0, 1, 2]);
    await waitUntilCommitted(validateGroup(source), topicOf(source), ends, 60_000);
    await waitUntilSwept(300_000);
    const before = await objectsOfTopic();

    // A replay: the group has no member once the runtime stopped; its offsets go back to zero.
    await local.runtime.stop();
    await resetOffsets(validateGroup(source), topicOf(source), new Map([...ends.keys()].map((partition) => [partition, 0n])));
    local.runtime = await startRuntime();
    await waitUntilCommitted(validateGroup(source), topicOf(source), ends, 180_000);

    const after = await objectsOfTopic();
    const changed = [...after].filter(([key, eTag]) => before.has(key) && before.get(key) !== eTag).map(([key]) => key);
    expect(changed, 'objects the replay wrote again with other content').toEqual([]);
    // The replay reads its batches with other boundaries than the first delivery, so some of its
    // objects have keys of their own: they hold records delivered before, and nothing else.
    const added = [...after.keys()].filter((key) => !before.has(key));
    const undelivered = (await eventIdsIn(added)).filter((id) => validated.locationsOf(id).length === 0);
    expect(undelivered, 'records in the replayed objects that were not delivered before').toEqual([]);
    // Each rewrite is an S3 event: let the merges they trigger, and a sweep, run before counting rows.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    await waitUntilSwept(300_000);
    expect(await duplicateRows(sent.accepted)).toEqual([]);
  });
});
