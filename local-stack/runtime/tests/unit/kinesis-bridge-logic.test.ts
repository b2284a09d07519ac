import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readKinesisBatchResponse } from '../../bridges/kinesis/batch-outcome.ts';
import { CheckpointStore, ShardProgress } from '../../bridges/kinesis/checkpoints.ts';
import { kinesisFailureRecord } from '../../bridges/kinesis/failure-record.ts';
import { buildKinesisEvent, type ShardRecord } from '../../bridges/kinesis/kinesis-event.ts';

const base = 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_898n;
const record = (index: number, extra: Partial<ShardRecord> = {}): ShardRecord => ({
  shardId: 'shardId-000000000006', sequenceNumber: String(base + BigInt(index) * 1000n), partitionKey: `TX-${index}`,
  data: Buffer.from(`{"n":${index}}`), approximateArrivalTimestamp: 1_545_084_650_987 + index, ...extra,
});
const source = { streamArn: 'arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream', region: 'us-east-2', invokeIdentityArn: 'arn:aws:iam::123456789012:role/ValidateFunctionRole' };

describe('Kinesis event', () => {
  it('has one entry per record in the documented shape: base64 data, arrival in seconds, eventID of shard and sequence number', () => {
    const event = buildKinesisEvent([record(0), record(1)], source);
    expect(event.Records).toHaveLength(2);
    expect(event.Records[0]).toEqual({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 'TX-0',
        sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
        data: Buffer.from('{"n":0}').toString('base64'),
        approximateArrivalTimestamp: 1_545_084_650.987,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: 'shardId-000000000006:49590338271490256608559692538361571095921575989136588898',
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/ValidateFunctionRole',
      awsRegion: 'us-east-2',
      eventSourceARN: 'arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream',
    });
  });
});

describe('Kinesis partial batch response', () => {
  const batch = [record(0), record(1), record(2), record(3)];
  const failure = (index: number) => ({ itemIdentifier: batch[index]!.sequenceNumber });

  it('is success with no list, an empty list, or when the source does not report item failures', () => {
    expect(readKinesisBatchResponse(null, batch, true)).toEqual({ kind: 'success' });
    expect(readKinesisBatchResponse({ batchItemFailures: [] }, batch, true)).toEqual({ kind: 'success' });
    expect(readKinesisBatchResponse({ batchItemFailures: [failure(1)] }, batch, false)).toEqual({ kind: 'success' });
  });

  it('retries from the lowest failed sequence number (it and every later record) and counts the records before it as done', () => {
    const verdict = readKinesisBatchResponse({ batchItemFailures: [failure(3), failure(1)] }, batch, true);
    expect(verdict).toEqual({ kind: 'partial', succeeded: [batch[0]], failed: [batch[1], batch[2], batch[3]] });
  });

  it('fails the whole batch for an empty, null or unknown identifier', () => {
    expect(readKinesisBatchResponse({ batchItemFailures: [{ itemIdentifier: '' }] }, batch, true)).toMatchObject({ kind: 'failure' });
    expect(readKinesisBatchResponse({ batchItemFailures: [{ itemIdentifier: null }] }, batch, true)).toMatchObject({ kind: 'failure' });
    expect(readKinesisBatchResponse({ batchItemFailures: [{ itemIdentifier: '42' }] }, batch, true)).toMatchObject({ kind: 'failure', reason: expect.stringContaining('not a record of the batch') });
  });
});

describe('shard checkpoints', () => {
  it('moves only past a run of done records at the front, never past one still being retried', () => {
    const progress = new ShardProgress();
    progress.track([record(0), record(1), record(2)]);
    progress.markDone([record(1)]);
    expect(progress.takeCheckpoint()).toBeUndefined();
    progress.markDone([record(0)]);
    expect(progress.takeCheckpoint()).toBe(record(1).sequenceNumber);
    progress.track([record(3)]);
    progress.markDone([record(3)]);
    expect(progress.takeCheckpoint()).toBeUndefined();
    progress.markDone([record(2)]);
    expect(progress.takeCheckpoint()).toBe(record(3).sequenceNumber);
    expect(progress.takeCheckpoint()).toBeUndefined();
  });

  it('are kept per shard in a file and read back, unless the stream was created again since', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kinesis-checkpoints-')), 'mapping.json');
    const store = new CheckpointStore(path);
    expect(store.load('2026-03-01T00:00:00.000Z')).toBe(true);
    store.save('shardId-000000000000', '101');
    store.save('shardId-000000000001', '202');

    const reopened = new CheckpointStore(path);
    expect(reopened.load('2026-03-01T00:00:00.000Z')).toBe(true);
    expect(reopened.get('shardId-000000000001')).toBe('202');

    const recreated = new CheckpointStore(path);
    expect(recreated.load('2026-03-02T00:00:00.000Z')).toBe(false);
    expect(recreated.get('shardId-000000000000')).toBeUndefined();
  });

  it('refuses a checkpoint file that is not JSON rather than starting over', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kinesis-checkpoints-')), 'mapping.json');
    writeFileSync(path, 'not json');
    expect(() => new CheckpointStore(path).load('2026-03-01T00:00:00.000Z')).toThrow();
  });
});

describe('Kinesis S3 on-failure record', () => {
  it('has the documented metadata, KinesisBatchInfo of the first and last record, and the whole event as a JSON string', () => {
    const records = [record(0), record(1), record(2)];
    const event = buildKinesisEvent(records, source);
    const body = kinesisFailureRecord(records, event, {
      requestId: 'r', functionArn: 'arn:aws:lambda:us-east-2:123456789012:function:F', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3,
      functionError: 'Unhandled', streamArn: source.streamArn, now: new Date('2026-03-01T00:00:00Z'),
    });
    expect(body).toEqual({
      requestContext: { requestId: 'r', functionArn: 'arn:aws:lambda:us-east-2:123456789012:function:F', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2026-03-01T00:00:00.000Z',
      KinesisBatchInfo: {
        shardId: 'shardId-000000000006',
        startSequenceNumber: record(0).sequenceNumber,
        endSequenceNumber: record(2).sequenceNumber,
        approximateArrivalOfFirstRecord: '2018-12-17T22:10:50.987Z',
        approximateArrivalOfLastRecord: '2018-12-17T22:10:50.989Z',
        batchSize: 3,
        streamArn: source.streamArn,
      },
      payload: JSON.stringify(event),
    });
  });
});
