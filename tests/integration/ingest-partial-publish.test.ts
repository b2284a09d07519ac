import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { withAdmin } from '../../tools/pipeline/kafka-admin.ts';
import { ConfigResourceTypes, IncrementalAlterConfigOperationTypes } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecordProducer } from '#lib/kafka.ts';
import type { OutgoingMessage } from '#lib/record-messages.ts';
import { ingestRequest } from '../../functions/ingest/ingest-request.ts';
import { stackSettings } from '../../local-stack/stack.config.ts';
import { readTopics } from '../../tools/lake-scan/scan-topics.ts';
import { loadEvent } from '../fixtures/events.ts';
import { testDependencies } from '../fixtures/test-dependencies.ts';

// A topic of this run whose max.message.bytes (100 KB) is below what ingest is configured for (1 MiB):
// the broker refuses the request that carries the one large record, after taking the ones before it.
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const topicPrefix = `partial-publish-test-${run}.`;
const topic = `${topicPrefix}transactions`;
const brokers = stackSettings.kafkaBrokers;
const settings = { topicPrefix, cardTokenKey: 'integration-card-token-key-0123456789', maxBodyBytes: 6 * 1024 * 1024, maxRecordsPerRequest: 100, maxMessageBytes: 1_048_576 };
// The fourth record (just under ingest's per-record limit) does not fit in one request with the three
// before it (2 KB each), so it goes alone in a second request: the one the broker refuses.
const records = [
  ...['TX-0', 'TX-1', 'TX-2'].map((transactionId) => ({ transactionId, merchantName: 'm'.repeat(2_000) })),
  { transactionId: 'TX-3', merchantName: 'm'.repeat(1_030_000) },
];

const producer = createRecordProducer({ clientId: 'partial-publish-test', brokers });


async function send() {
  const event = loadEvent<APIGatewayProxyEventV2>('ingest-valid');
  const headers = { ...event.headers, 'idempotency-key': `partial-${run}` };
  const deps = { ...testDependencies(settings), publish: async (messages: OutgoingMessage[]) => void (await producer.send({ messages })), now: () => new Date() };
  const response = (await ingestRequest({ ...event, headers, body: JSON.stringify(records) }, deps)) as APIGatewayProxyStructuredResultV2;
  return { status: response.statusCode, body: JSON.parse(response.body!) };
}

/** The event-id header of every message in the topic, in offset order. */
async function eventIdsInTopic(): Promise<string[]> {
  const ids: string[] = [];
  const unread = await readTopics({ brokers, topics: [topic], onFinding: () => undefined, onProgress: () => undefined, idleMs: 10_000 }, (message) => {
    ids.push(String([...message.headers].find(([name]) => String(name) === 'event-id')?.[1]));
  });
  expect(unread).toEqual([]);
  return ids;
}

beforeAll(async () => {
  await withAdmin(brokers, (admin) => admin.createTopics({ topics: [topic], partitions: 1, replicas: 1, configs: [{ name: 'max.message.bytes', value: '100000' }] }));
});

afterAll(async () => {
  await producer.close();
  await withAdmin(brokers, (admin) => admin.deleteTopics({ topics: [topic] }));
});

describe('ingest against a broker that takes only part of a batch', () => {
  let first: Awaited<ReturnType<typeof send>>;

  it('answers 503 PARTIALLY_PUBLISHED naming exactly the records that are in the topic', async () => {
    first = await send();
    expect(first.status).toBe(503);
    expect(first.body.error.code).toBe('PARTIALLY_PUBLISHED');
    const { accepted, failed } = first.body.error.details;
    expect(accepted.map((record: { index: number }) => record.index)).toEqual([0, 1, 2]);
    expect(failed.map((record: { index: number }) => record.index)).toEqual([3]);
    expect(await eventIdsInTopic()).toEqual(accepted.map((record: { eventId: string }) => record.eventId));
  });

  it('a retry with the same Idempotency-Key, once the broker takes the record, publishes it with the event id named before', async () => {
    await withAdmin(brokers, (admin) =>
      admin.incrementalAlterConfigs({
        resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configs: [{ name: 'max.message.bytes', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '2000000' }] }],
      }),
    );
    const retry = await send();
    expect(retry.status).toBe(202);
    const { accepted, failed } = first.body.error.details;
    expect(retry.body.batchId).toBe(first.body.error.details.batchId);
    expect(retry.body.eventIds).toEqual([...accepted, ...failed].map((record: { eventId: string }) => record.eventId));
    // Kafka holds the first three twice, with the same event ids: downstream stages recognise them by event id.
    const inTopic = await eventIdsInTopic();
    expect(new Set(inTopic)).toEqual(new Set(retry.body.eventIds));
    expect(inTopic.filter((id) => id === failed[0].eventId)).toHaveLength(1);
  });
});
