import type { PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { streamEnvelopeVersion } from '#lib/stream-envelope.ts';
import type { KafkaEvent } from '../../../functions/validate/kafka-event.ts';
import type { KinesisEvent } from '../../../functions/validate/kinesis-event.ts';
import { validateAndStore } from '../../../functions/validate/validate-and-store.ts';
import { testDependencies } from '../../fixtures/test-dependencies.ts';
import { clearCardNumbers, fieldName, hostileRecord, hostileString } from './hostile-input.ts';

// A producer that writes to the stream directly, past ingest: any bytes, any headers, an
// envelope it made up. Validation must store each record once and rest no clear card number.

const settings = { topicPrefix: 'ingest.', cardTokenKey: 'unit-test-card-token-key-0123456789', lakeBucket: 'lake', kinesisStreamPrefix: 'ledgerflow-local-' };

const headers = fc.dictionary(fc.oneof(fc.constantFrom('event-id', 'batch-id', 'received-at', 'traceparent', 'contract-version', 'source-object'), fieldName), hostileString, { maxKeys: 4 });

const json = (value: unknown) => JSON.stringify(value) ?? 'null';

/** The bytes of one record's value (Kafka) or data (Kinesis). */
const recordData = fc.oneof(
  hostileRecord.map((record) => Buffer.from(json(record))),
  fc.tuple(headers, hostileRecord).map(([fields, value]) => Buffer.from(json({ envelope: streamEnvelopeVersion, headers: fields, value }))),
  fc.tuple(fc.jsonValue(), hostileRecord).map(([fields, value]) => Buffer.from(json({ envelope: streamEnvelopeVersion, headers: fields, value }))),
  hostileString.map((text) => Buffer.from(text)),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
);

const kafkaRecord = fc.record({ key: fc.option(hostileString, { nil: null }), value: recordData, headers });

function kafkaEvent(records: { key: string | null; value: Buffer; headers: Record<string, string> }[]): KafkaEvent {
  return {
    eventSource: 'aws:kafka',
    records: {
      'ingest.transactions-0': records.map((record, offset) => ({
        topic: 'ingest.transactions', partition: 0, offset, timestamp: 1772366406000, timestampType: 'CREATE_TIME',
        ...(record.key === null ? {} : { key: Buffer.from(record.key).toString('base64') }),
        value: record.value.toString('base64'),
        headers: Object.entries(record.headers).map(([name, value]) => ({ [name]: [...Buffer.from(value)] })),
      })),
    },
  } as KafkaEvent;
}

function kinesisEvent(records: { partitionKey: string; data: Buffer }[]): KinesisEvent {
  return {
    Records: records.map((record, index) => {
      const sequenceNumber = String(49668120474623521092858839128763418962830614232356438018n + BigInt(index));
      return {
        kinesis: { kinesisSchemaVersion: '1.0', partitionKey: record.partitionKey, sequenceNumber, data: record.data.toString('base64'), approximateArrivalTimestamp: 1772366406.12 },
        eventSource: 'aws:kinesis' as const, eventVersion: '1.0', eventID: `shardId-000000000001:${sequenceNumber}`, eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::123456789012:role/ValidateFunctionRole', awsRegion: 'us-east-1',
        eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/ledgerflow-local-transactions',
      };
    }),
  };
}

/** Validates one batch with an S3 that records its puts; returns what rests in the lake and the logs. */
async function validate(event: KafkaEvent | KinesisEvent) {
  const puts: PutObjectCommandInput[] = [];
  const s3 = { send: async (command: { input: PutObjectCommandInput }) => void puts.push(command.input) } as unknown as S3Client;
  const deps = { ...testDependencies(settings), s3 };
  const response = await validateAndStore(event, deps);
  const exposed = puts.flatMap((put) => [String(put.Key), String(put.Body)]);
  for (const log of [deps.logger.info, deps.logger.warn, deps.logger.error]) exposed.push(...log.mock.calls.map((args) => JSON.stringify(args)));
  const lines = puts.flatMap((put) => String(put.Body).trim().split('\n').map((line) => ({ layer: String(put.Key).split('/')[0], line: JSON.parse(line) })));
  return { response, exposed, lines };
}

describe('records written to the stream directly, past ingest', () => {
  it('over Kafka: each stored exactly once, in landing or quarantine, and no clear card number in the lake or a log line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(kafkaRecord, { minLength: 1, maxLength: 6 }), async (records) => {
        const { response, exposed, lines } = await validate(kafkaEvent(records));
        expect(response).toMatchObject({ valid: expect.any(Number), invalid: expect.any(Number) });
        for (const text of exposed) expect(clearCardNumbers(text), text.slice(0, 300)).toEqual([]);
        expect(lines.map(({ line }) => line.offset).sort((a, b) => a - b)).toEqual(records.map((_, offset) => offset));
        expect(lines.every(({ layer }) => layer === 'landing' || layer === 'quarantine')).toBe(true);
      }),
      { numRuns: 500 },
    );
  }, 60_000);

  it('over Kinesis: each stored exactly once, no batch item failure, and no clear card number in the lake or a log line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ partitionKey: fc.string({ minLength: 1, maxLength: 20 }), data: recordData }), { minLength: 1, maxLength: 6 }), async (records) => {
        const event = kinesisEvent(records);
        const { response, exposed, lines } = await validate(event);
        expect(response).toEqual({ batchItemFailures: [] });
        for (const text of exposed) expect(clearCardNumbers(text), text.slice(0, 300)).toEqual([]);
        expect(lines.map(({ line }) => line.sequenceNumber).sort()).toEqual(event.Records.map((record) => record.kinesis.sequenceNumber).sort());
        expect(lines.every(({ layer }) => layer === 'landing' || layer === 'quarantine')).toBe(true);
      }),
      { numRuns: 500 },
    );
  }, 60_000);
});
