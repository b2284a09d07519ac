import type { PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestError } from '#lib/errors.ts';
import type { OutgoingMessage } from '#lib/record-messages.ts';
import { encodeStreamEnvelope } from '#lib/stream-envelope.ts';
import { ingestRequest } from '../../../functions/ingest/ingest-request.ts';
import type { KafkaEvent } from '../../../functions/validate/kafka-event.ts';
import type { KinesisEvent } from '../../../functions/validate/kinesis-event.ts';
import { validateAndStore } from '../../../functions/validate/validate-and-store.ts';
import { loadEvent } from '../../fixtures/events.ts';
import { testDependencies } from '../../fixtures/test-dependencies.ts';
import { clearCardNumbers, hostileRecord } from './hostile-input.ts';

const tokenKey = 'unit-test-card-token-key-0123456789';
const ingestSettings = { topicPrefix: 'ingest.', cardTokenKey: tokenKey, maxBodyBytes: 16 * 1024 * 1024, maxRecordsPerRequest: 100, maxMessageBytes: 128 * 1024 };


function ingestEvent(records: unknown[]): APIGatewayProxyEventV2 {
  const event = loadEvent<APIGatewayProxyEventV2>('ingest-valid');
  return { ...event, body: JSON.stringify(records), isBase64Encoded: false };
}

/** The Kafka event Lambda would deliver for the published messages, one partition, offsets from 0. */
function kafkaEventOf(messages: OutgoingMessage[]): KafkaEvent {
  const records = messages.map((message, offset) => ({
    topic: message.topic, partition: 0, offset, timestamp: 1772366406000, timestampType: 'CREATE_TIME',
    key: Buffer.from(message.key).toString('base64'),
    value: Buffer.from(message.value).toString('base64'),
    headers: Object.entries(message.headers).map(([name, value]) => ({ [name]: [...Buffer.from(value)] })),
  }));
  return { eventSource: 'aws:kafka', records: { 'ingest.transactions-0': records } };
}

const kinesisStreamPrefix = 'ledgerflow-local-';

/** The Kinesis event Lambda would deliver for the same messages: one shard, each in ingest's envelope. */
function kinesisEventOf(messages: OutgoingMessage[]): KinesisEvent {
  const Records = messages.map((message, index) => {
    const sequenceNumber = String(49668120474623521092858839128763418962830614232356438018n + BigInt(index));
    return {
      kinesis: { kinesisSchemaVersion: '1.0', partitionKey: message.key, sequenceNumber, data: Buffer.from(encodeStreamEnvelope(message)).toString('base64'), approximateArrivalTimestamp: 1772366406.12 },
      eventSource: 'aws:kinesis' as const, eventVersion: '1.0', eventID: `shardId-000000000000:${sequenceNumber}`, eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/ValidateFunctionRole', awsRegion: 'us-east-1',
      eventSourceARN: `arn:aws:kinesis:us-east-1:123456789012:stream/${kinesisStreamPrefix}transactions`,
    };
  });
  return { Records };
}

type StreamEngine = 'kafka' | 'kinesis';

async function runPipeline(engine: StreamEngine, records: unknown[]) {
  const published: OutgoingMessage[] = [];
  const ingestDeps = { ...testDependencies(ingestSettings), publish: async (messages: OutgoingMessage[]) => void published.push(...messages), now: () => new Date('2026-03-01T12:00:06Z') };
  const send = (batch: unknown[]) => ingestRequest(ingestEvent(batch), ingestDeps).then((response) => response as APIGatewayProxyStructuredResultV2, (error: unknown) => error);

  const exposed: string[] = [];
  let sent = records;
  let outcome = await send(sent);
  const refused = new Set<number>();
  if (outcome instanceof RequestError) {
    exposed.push(JSON.stringify({ message: outcome.message, details: outcome.details }));
    expect(outcome.statusCode).toBe(422);
    expect(published).toEqual([]);
    for (const { index } of (outcome.details as { records: { index: number }[] }).records) refused.add(index);
    expect(refused.size).toBeGreaterThan(0);
    // Without the records it named, the same batch is accepted whole.
    sent = records.filter((_, index) => !refused.has(index));
    if (sent.length === 0) return { exposed, refused, sent, published, lines: [] };
    outcome = await send(sent);
  }
  expect(outcome).toMatchObject({ statusCode: 202 });
  expect(published).toHaveLength(sent.length);

  const puts: PutObjectCommandInput[] = [];
  const s3 = { send: async (command: { input: PutObjectCommandInput }) => void puts.push(command.input) } as unknown as S3Client;
  const validateDeps = { ...testDependencies({ topicPrefix: 'ingest.', cardTokenKey: tokenKey, lakeBucket: 'lake', kinesisStreamPrefix }), s3 };
  await validateAndStore(engine === 'kafka' ? kafkaEventOf(published) : kinesisEventOf(published), validateDeps);

  for (const message of published) exposed.push(message.key, message.value, ...Object.values(message.headers));
  for (const put of puts) exposed.push(String(put.Key), String(put.Body));
  for (const deps of [ingestDeps, validateDeps]) {
    for (const log of [deps.logger.info, deps.logger.warn, deps.logger.error]) exposed.push(...log.mock.calls.map((args) => JSON.stringify(args)));
  }
  const lines = puts.flatMap((put) => String(put.Body).trim().split('\n').map((line) => ({ layer: String(put.Key).split('/')[0], line: JSON.parse(line) })));
  return { exposed, refused, sent, published, lines };
}

describe.each<StreamEngine>(['kafka', 'kinesis'])('hostile records through ingest and validation over %s', (engine) => {
  it('never let a clear card number reach the stream, the lake or a log line, and each record is refused by index or stored exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileRecord, { minLength: 1, maxLength: 6 }), async (records) => {
        const { exposed, refused, published, lines } = await runPipeline(engine, records);
        for (const text of exposed) expect(clearCardNumbers(text), text.slice(0, 300)).toEqual([]);
        for (const index of refused) expect(index).toBeLessThan(records.length);
        const eventIds = published.map((message) => message.headers['event-id']);
        const stored = lines.map(({ line }) => line.eventId);
        expect(stored.sort()).toEqual([...eventIds].sort());
        expect(lines.every(({ layer }) => layer === 'landing' || layer === 'quarantine')).toBe(true);
      }),
      { numRuns: 800 },
    );
  }, 60_000);
});
