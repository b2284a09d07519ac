import { describe, expect, it } from 'vitest';
import { readBatchResponse } from '../../bridges/kafka/batch-outcome.ts';
import { BatchProgress } from '../../bridges/kafka/batch-progress.ts';
import { failureObjectKey } from '../../bridges/failure-destination.ts';
import { kafkaFailureRecord } from '../../bridges/kafka/failure-record.ts';
import { buildKafkaEvent, type ConsumedRecord } from '../../bridges/kafka/kafka-event.ts';

const record = (partition: number, offset: number, extra: Partial<ConsumedRecord> = {}): ConsumedRecord => ({
  topic: 'ingest.claims', partition, offset: BigInt(offset), timestamp: 1_772_366_406_000 + offset, timestampType: 'CREATE_TIME',
  key: Buffer.from(`k${offset}`), value: Buffer.from(`{"n":${offset}}`), headers: [[Buffer.from('event-id'), Buffer.from('é1')]], ...extra,
});

describe('Kafka event', () => {
  it('groups records by topic-partition with base64 key and value and headers as byte arrays', () => {
    const event = buildKafkaEvent([record(0, 7), record(1, 3), record(0, 8)], { kind: 'self-managed', bootstrapServers: ['127.0.0.1:9092', '127.0.0.1:9093'] }) as any;
    expect(event.eventSource).toBe('SelfManagedKafka');
    expect(event.bootstrapServers).toBe('127.0.0.1:9092,127.0.0.1:9093');
    expect(event).not.toHaveProperty('eventSourceArn');
    expect(Object.keys(event.records)).toEqual(['ingest.claims-0', 'ingest.claims-1']);
    expect(event.records['ingest.claims-0'][1]).toEqual({
      topic: 'ingest.claims', partition: 0, offset: 8, timestamp: 1_772_366_406_008, timestampType: 'CREATE_TIME',
      key: Buffer.from('k8').toString('base64'), value: Buffer.from('{"n":8}').toString('base64'),
      // Bytes as Lambda's Java poller writes them: signed.
      headers: [{ 'event-id': [-61, -87, 49] }],
    });
  });

  it('names the MSK cluster for an MSK source', () => {
    const event = buildKafkaEvent([record(0, 1, { key: null })], { kind: 'msk', eventSourceArn: 'arn:aws:kafka:us-east-1:1:cluster/c/u', bootstrapServers: ['b:9092'] }) as any;
    expect(event).toMatchObject({ eventSource: 'aws:kafka', eventSourceArn: 'arn:aws:kafka:us-east-1:1:cluster/c/u', bootstrapServers: 'b:9092' });
    expect(event.records['ingest.claims-0'][0]).not.toHaveProperty('key');
  });
});

describe('Kafka partial batch response', () => {
  const batch = [record(0, 1), record(0, 2), record(0, 3), record(1, 5)];

  it('is success with no list, an empty list, or when the source does not report item failures', () => {
    expect(readBatchResponse(null, batch, true)).toEqual({ kind: 'success' });
    expect(readBatchResponse({ batchItemFailures: [] }, batch, true)).toEqual({ kind: 'success' });
    expect(readBatchResponse({ batchItemFailures: [{ itemIdentifier: { partition: 'ingest.claims-0', offset: 2 } }] }, batch, false)).toEqual({ kind: 'success' });
  });

  it('retries from the lowest failed offset of each partition and counts the records before it as done', () => {
    const verdict = readBatchResponse({ batchItemFailures: [{ itemIdentifier: { partition: 'ingest.claims-0', offset: 3 } }, { itemIdentifier: { partition: 'ingest.claims-0', offset: 2 } }] }, batch, true);
    expect(verdict.kind).toBe('partial');
    if (verdict.kind !== 'partial') return;
    expect(verdict.succeeded.map((r) => `${r.partition}@${r.offset}`)).toEqual(['0@1', '1@5']);
    expect(verdict.failed.map((r) => `${r.partition}@${r.offset}`)).toEqual(['0@2', '0@3']);
  });

  it('fails the whole batch for an identifier that names no record', () => {
    expect(readBatchResponse({ batchItemFailures: [{ itemIdentifier: { partition: 'ingest.claims-9', offset: 1 } }] }, batch, true)).toMatchObject({ kind: 'failure' });
    expect(readBatchResponse({ batchItemFailures: [{ itemIdentifier: '' }] }, batch, true)).toMatchObject({ kind: 'failure' });
  });
});

describe('commit progress', () => {
  it('commits per partition only past a contiguous run of done records', () => {
    const progress = new BatchProgress([record(0, 1), record(0, 2), record(0, 3), record(1, 5)]);
    progress.markDone([record(0, 2), record(1, 5)]);
    expect(progress.takeCommittable()).toEqual([{ topic: 'ingest.claims', partition: 1, offset: 6n }]);
    progress.markDone([record(0, 1)]);
    expect(progress.takeCommittable()).toEqual([{ topic: 'ingest.claims', partition: 0, offset: 3n }]);
    progress.markDone([record(0, 3)]);
    expect(progress.takeCommittable()).toEqual([{ topic: 'ingest.claims', partition: 0, offset: 4n }]);
    expect(progress.takeCommittable()).toEqual([]);
  });
});

describe('S3 on-failure record', () => {
  it('has the documented metadata, offsets as strings and the whole event as a JSON string', () => {
    const records = [record(0, 1), record(0, 2)];
    const event = buildKafkaEvent(records, { kind: 'self-managed', bootstrapServers: ['127.0.0.1:9092'] });
    const body = kafkaFailureRecord(records, event, { requestId: 'r', functionArn: 'arn:aws:lambda:us-east-1:1:function:F', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3, bootstrapServers: ['127.0.0.1:9092'], now: new Date('2026-03-01T00:00:00Z') });
    expect(body).toMatchObject({
      requestContext: { requestId: 'r', functionArn: 'arn:aws:lambda:us-east-1:1:function:F', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2026-03-01T00:00:00.000Z',
      KafkaBatchInfo: { batchSize: 2, bootstrapServers: '127.0.0.1:9092', recordsInfo: { 'ingest.claims-0': { firstRecordOffset: '1', lastRecordOffset: '2' } } },
    });
    expect(JSON.parse(body.payload as string)).toEqual(event);
    expect(failureObjectKey('uuid-1', 'ingest.claims-0', new Date('2026-03-01T04:05:06Z'))).toMatch(/^aws\/lambda\/uuid-1\/ingest\.claims-0\/2026\/03\/01\/2026-03-01T04\.05\.06-[0-9a-f-]{36}$/);
  });
});
