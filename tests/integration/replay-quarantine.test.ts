import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { Admin } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuarantineLine } from '#contracts/lake-lines.ts';
import { protectRecord } from '#contracts/protect.ts';
import { findContract } from '#contracts/registry.ts';
import { createRecordProducer } from '#lib/kafka.ts';
import { validateRecord } from '../../functions/validate/validate-record.ts';
import { stackSettings } from '../../local-stack/stack.config.ts';
import { readTopics } from '../../tools/lake-scan/scan-topics.ts';
import { lakeClient } from '../../tools/pipeline/settle.ts';
import { replayQuarantine } from '../../tools/replay/run-replay.ts';
import { SeededRandom } from '../../tools/sample-data/random.ts';
import { newRecord } from '../../tools/sample-data/sources.ts';

// A bucket and a topic of this run: the replay reads the bucket's quarantine and publishes to the topic.
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const bucket = `replay-test-${run}`;
const topicPrefix = `replay-test-${run}.`;
const topic = `${topicPrefix}transactions`;
const brokers = stackSettings.kafkaBrokers;
const cardTokenKey = 'integration-card-token-key-0123456789';
const contract = findContract('transactions')!;
const s3 = lakeClient();
const lake = { s3, bucket };
const producer = createRecordProducer({ clientId: 'replay-test', brokers });
const publish = async (messages: Parameters<typeof producer.send>[0]['messages']) => void (await producer.send({ messages }));

/** A transaction as validation quarantined it: card field protected, currency missing. */
function quarantinedLine(): QuarantineLine {
  const { currency: _missing, ...record } = protectRecord(contract, newRecord.transactions!(new SeededRandom(7), 0), cardTokenKey);
  return {
    eventId: `evt-${run}`, batchId: `batch-${run}`, receivedAt: '2026-03-01T10:00:00.000Z', traceparent: null, source: 'transactions',
    topic: 'ingest.transactions', partition: 0, offset: 41, kafkaTimestamp: 1_772_359_200_000,
    reasons: [{ path: 'currency', message: 'Invalid input: expected string, received undefined' }], payload: record,
  };
}

async function messagesInTopic(): Promise<{ eventId: string; value: string }[]> {
  const messages: { eventId: string; value: string }[] = [];
  await readTopics({ brokers, topics: [topic], onFinding: () => undefined, onProgress: () => undefined, idleMs: 5_000 }, (message) => {
    messages.push({ eventId: String([...message.headers].find(([name]) => String(name) === 'event-id')?.[1]), value: String(message.value) });
  });
  return messages;
}

beforeAll(async () => {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const admin = new Admin({ clientId: 'replay-test', bootstrapBrokers: brokers });
  try {
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
  } finally {
    await admin.close();
  }
  const key = 'quarantine/transactions/ingest.transactions/partition=0/00000000000000000041-00000000000000000041.ndjson';
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `${JSON.stringify(quarantinedLine())}\n` }));
});

afterAll(async () => {
  await producer.close();
  const admin = new Admin({ clientId: 'replay-test', bootstrapBrokers: brokers });
  await admin.deleteTopics({ topics: [topic] }).finally(() => admin.close());
  const listing = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  for (const object of listing.Contents ?? []) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key! }));
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
});

describe('npm run replay -- quarantine, after the producer supplied the missing field', () => {
  const options = { log: () => undefined, dryRun: false, patch: { currency: 'EUR' }, topicPrefix, publish };

  it('republishes the patched record with its original event id, and validation now accepts it', async () => {
    const summary = await replayQuarantine(lake, { source: 'transactions', reason: 'currency' }, options);
    expect(summary).toMatchObject({ selected: 1, replayed: 1, skipped: [] });
    const messages = await messagesInTopic();
    expect(messages.map((message) => message.eventId)).toEqual([`evt-${run}`]);
    const verdict = validateRecord(contract, JSON.parse(messages[0]!.value), cardTokenKey);
    expect(verdict).toMatchObject({ valid: true, key: (quarantinedLine().payload as { transactionId: string }).transactionId });
  });

  it('does not publish the same quarantined record again on a second run', async () => {
    const summary = await replayQuarantine(lake, { source: 'transactions', reason: 'currency' }, options);
    expect(summary.replayed).toBe(0);
    expect(summary.skipped).toEqual([expect.objectContaining({ eventId: `evt-${run}`, why: expect.stringMatching(/already replayed/) })]);
    expect((await messagesInTopic()).length).toBe(1);
  });

  it('prints what it would do and publishes nothing with --dry-run', async () => {
    const lines: string[] = [];
    const summary = await replayQuarantine(lake, { source: 'transactions' }, { ...options, dryRun: true, log: (line) => lines.push(line) });
    expect(summary.replayed).toBe(0);
    expect(lines.join('\n')).toMatch(/already replayed/);
    expect((await messagesInTopic()).length).toBe(1);
  });
});
