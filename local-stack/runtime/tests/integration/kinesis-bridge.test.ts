import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../start-local-runtime.ts';
import type { SeenRecord } from '../fixtures/kinesis/invocations.ts';
import {
  createStream, ensureTestBucket, envVarsFile, type LocalKinesis, localKinesisClient, localS3, putRecords, startKinesisRuntime, startLocalKinesis,
  testBucket, testStateDir, waitFor,
} from '../support.ts';

const stateDir = mkdtempSync(join(tmpdir(), 'runtime-kinesis-'));
const s3 = localS3();
const startedAt = Date.now();

/** Each invocation of a test function: when it ran and the records it saw. */
const invocations = (functionName: string): { at: number; records: SeenRecord[] }[] => {
  const path = join(stateDir, `${functionName}.jsonl`);
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)) : [];
};
const dataOf = (functionName: string) => invocations(functionName).map((invocation) => invocation.records.map((record) => record.data));

describe('Kinesis bridge against a local Kinesis API (test template)', () => {
  let kinesisServer: LocalKinesis;
  let kinesis: KinesisClient;
  let runtime: LocalRuntime;

  const mappingUuid = (id: string) => runtime.registry.model.kinesisSources.find((source) => source.id === id)!.uuid;
  const checkpointOf = (id: string): string | undefined => {
    const path = join(testStateDir, 'runtime', 'kinesis-bridge', `${mappingUuid(id)}.json`);
    return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')).shards['shardId-000000000000'] : undefined;
  };
  /** The on-failure record of this run whose batch starts at `sequenceNumber`. */
  const failureRecord = async (id: string, sequenceNumber: string) => {
    const listing = await s3.send(new ListObjectsV2Command({ Bucket: testBucket, Prefix: `aws/lambda/${mappingUuid(id)}/shardId-000000000000/` }));
    for (const object of listing.Contents ?? []) {
      if (object.LastModified!.getTime() < startedAt - 1000) continue;
      const record = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: testBucket, Key: object.Key }))).Body!.transformToString());
      if (record.KinesisBatchInfo.startSequenceNumber === sequenceNumber) return record;
    }
    return undefined;
  };

  beforeAll(async () => {
    await ensureTestBucket(s3);
    kinesisServer = await startLocalKinesis();
    kinesis = localKinesisClient(kinesisServer.endpoint);
    await createStream(kinesis, 'runtime-test-ordered', 2);
    for (const name of ['WindowStream', 'ExhaustStream', 'BisectStream', 'PartialStream']) await createStream(kinesis, name);
    runtime = await startKinesisRuntime('kinesis', {
      stateDir: testStateDir,
      envVarsPath: envVarsFile({ Parameters: { STATE_DIR: stateDir, KINESIS_ENDPOINT: kinesisServer.endpoint } }),
      bucketNames: { FailureBucket: testBucket },
    });
  });

  afterAll(async () => {
    await runtime?.stop();
    kinesis?.destroy();
    await kinesisServer?.stop();
  });

  it('delivers every record once, in order per shard, in batches of one shard of at most BatchSize', async () => {
    const items = Array.from({ length: 20 }, (_, index) => ({ key: `key-${index}`, data: `r${index}`, shard: (index % 2) as 0 | 1 }));
    const put = await putRecords(kinesis, 'runtime-test-ordered', items);
    await waitFor('all 20 records', () => (invocations('OrderedFunction').flatMap((invocation) => invocation.records).length >= 20 ? true : undefined));

    const seen = invocations('OrderedFunction');
    for (const { records } of seen) {
      expect(records.length).toBeLessThanOrEqual(4);
      expect(new Set(records.map((record) => record.shardId)).size).toBe(1);
    }
    const delivered = seen.flatMap((invocation) => invocation.records);
    expect(delivered).toHaveLength(20);
    for (const shardId of ['shardId-000000000000', 'shardId-000000000001']) {
      const expected = put.flatMap((entry, index) => (entry.ShardId === shardId ? [{ shardId, sequenceNumber: entry.SequenceNumber, data: items[index]!.data }] : []));
      expect(expected).toHaveLength(10);
      expect(delivered.filter((record) => record.shardId === shardId)).toEqual(expected);
    }
  });

  it('waits MaximumBatchingWindowInSeconds from the first record and sends what arrived meanwhile as one batch (StartingPosition LATEST)', async () => {
    const firstPutAt = Date.now();
    await putRecords(kinesis, 'WindowStream', [{ key: 'w', data: 'w1' }]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await putRecords(kinesis, 'WindowStream', [{ key: 'w', data: 'w2' }]);
    const [invocation] = await waitFor('the windowed batch', () => (invocations('WindowFunction').length > 0 ? invocations('WindowFunction') : undefined));
    expect(invocation!.records.map((record) => record.data)).toEqual(['w1', 'w2']);
    // The 2 s window starts when the bridge reads w1 (within one poll interval of the put).
    expect(invocation!.at - firstPutAt).toBeGreaterThanOrEqual(1700);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(invocations('WindowFunction')).toHaveLength(1);
  });

  it('retries a failed batch MaximumRetryAttempts times, writes it to the S3 on-failure destination, then checkpoints past it', async () => {
    const [entry] = await putRecords(kinesis, 'ExhaustStream', [{ key: 'k', data: 'doomed' }]);
    const record = await waitFor('the on-failure record in MinIO', () => failureRecord('ExhaustMapping', entry!.SequenceNumber!));
    expect(record).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 2, functionArn: expect.stringMatching(/:function:AlwaysFailingFunction$/) },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      KinesisBatchInfo: {
        shardId: 'shardId-000000000000',
        startSequenceNumber: entry!.SequenceNumber,
        endSequenceNumber: entry!.SequenceNumber,
        batchSize: 1,
        streamArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/ExhaustStream',
      },
    });
    expect(Date.parse(record.KinesisBatchInfo.approximateArrivalOfFirstRecord)).toBeGreaterThanOrEqual(startedAt - 1000);
    const payload = JSON.parse(record.payload);
    expect(Buffer.from(payload.Records[0].kinesis.data, 'base64').toString()).toBe('doomed');
    // One invocation and MaximumRetryAttempts (1) retry.
    expect(dataOf('AlwaysFailingFunction')).toEqual([['doomed'], ['doomed']]);
    await waitFor('the checkpoint past the discarded batch', () => (checkpointOf('ExhaustMapping') === entry!.SequenceNumber ? true : undefined));
  });

  it('bisects a failing batch until the poison record is alone, sends only it to the destination and delivers the others', async () => {
    const put = await putRecords(kinesis, 'BisectStream', ['r0', 'r1', 'poison', 'r3'].map((data) => ({ key: data, data })));
    const record = await waitFor('the poison record in MinIO', () => failureRecord('BisectMapping', put[2]!.SequenceNumber!));
    expect(record.KinesisBatchInfo).toMatchObject({ batchSize: 1, startSequenceNumber: put[2]!.SequenceNumber, endSequenceNumber: put[2]!.SequenceNumber });
    await waitFor('the checkpoint after r3', () => (checkpointOf('BisectMapping') === put[3]!.SequenceNumber ? true : undefined));
    expect(dataOf('PoisonFunction')).toEqual([['r0', 'r1', 'poison', 'r3'], ['r0', 'r1'], ['poison', 'r3'], ['poison'], ['r3']]);
  });

  it('retries only from the failed sequence number of a partial batch response, then checkpoints the whole batch', async () => {
    const put = await putRecords(kinesis, 'PartialStream', ['p0', 'p1', 'fail-once', 'p3'].map((data) => ({ key: data, data })));
    await waitFor('the checkpoint after p3', () => (checkpointOf('PartialMapping') === put[3]!.SequenceNumber ? true : undefined));
    expect(dataOf('PartialFunction')).toEqual([['p0', 'p1', 'fail-once', 'p3'], ['fail-once', 'p3']]);
  });
});
