import { describe, expect, it } from 'vitest';
import { stackSettings } from '../../local-stack/stack.config.ts';
import { duplicateRows } from '../../tools/pipeline/duplicate-rows.ts';
import { reconcile } from '../../tools/pipeline/reconcile.ts';
import { type AcceptedRecord, sendRecords } from '../../tools/pipeline/send-records.ts';
import { generateSample } from '../../tools/sample-data/generate-sample.ts';
import { useLocalRuntime } from '../e2e/support.ts';
import { waitUntilSwept } from './merge-service.ts';
import { ValidatedEvents } from './validated-events.ts';

const runId = `s3ev${Date.now().toString(36)}-`;
const source = 'policies';
const invokeEndpoint = 'http://127.0.0.1:3001';
const local = useLocalRuntime();

/** An S3 ObjectCreated record as S3 sends it: the key URL-encoded. */
const createdEvent = (key: string) => ({
  eventVersion: '2.1',
  eventSource: 'aws:s3',
  eventName: 'ObjectCreated:Put',
  eventTime: new Date().toISOString(),
  s3: { s3SchemaVersion: '1.0', bucket: { name: stackSettings.lakeBucket, arn: `arn:aws:s3:::${stackSettings.lakeBucket}` }, object: { key: key.split('/').map(encodeURIComponent).join('/'), size: 1 } },
});

describe('S3 events of landing objects delivered twice and out of order', () => {
  it('a duplicate and an out-of-order S3 event merge once', async () => {
    const validated = new ValidatedEvents();
    const [older, newer] = [0, 1].map((version) => {
      const record = generateSample({ source, count: 1, seed: 3, keyPrefix: runId, invalidRate: 0 })[0]!.record;
      return { ...record, updatedAt: `2026-03-0${version + 1}T10:00:00Z` };
    });
    // Two versions of one policy, each in a landing object of its own.
    const accepted: AcceptedRecord[] = [];
    for (const record of [older, newer]) {
      const sent = await sendRecords({ apiUrl: local.runtime.apiUrl, token: local.token, source, records: [record] });
      expect(sent.refused).toEqual([]);
      await validated.waitFor([sent.accepted[0]!.eventId], 60_000);
      accepted.push(sent.accepted[0]!);
    }
    const [olderKey, newerKey] = accepted.map((record) => validated.locationsOf(record.eventId)[0]!.key);
    expect(olderKey).not.toBe(newerKey);

    // The events the bucket already sent, again: the newer object's first, then the older's, then the newer's a second time.
    const response = await fetch(`${invokeEndpoint}/2015-03-31/functions/MergeTriggerFunction/invocations`, {
      method: 'POST',
      body: JSON.stringify({ Records: [newerKey!, olderKey!, newerKey!].map(createdEvent) }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    expect(response.headers.get('x-amz-function-error')).toBeNull();
    await waitUntilSwept(300_000);

    // Two Spark processes side by side: each spends most of its time starting.
    const [result, duplicates] = await Promise.all([reconcile(accepted), duplicateRows(accepted)]);
    expect(result.totals).toMatchObject({ accepted: 2, valid: 2, curated: 1, superseded: 1, lost: 0, inBoth: 0 });
    expect(duplicates).toEqual([]);
  });
});
