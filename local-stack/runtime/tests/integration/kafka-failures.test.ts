import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Admin, Consumer, Producer, stringSerializers } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../start-local-runtime.ts';
import { ensureTestBucket, envVarsFile, fixtureTemplate, kafkaBrokers, localS3, testBucket, testStateDir, waitFor } from '../support.ts';

const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const topics = { flaky: `runtime-test.flaky.${run}`, exhaust: `runtime-test.exhaust.${run}`, partial: `runtime-test.partial.${run}` };
const groupPrefix = `runtime-test-${run}`;
const stateDir = mkdtempSync(join(tmpdir(), 'runtime-kafka-'));
const s3 = localS3();

/** Offsets each invocation of a test function saw, in order. */
const invocations = (name: string): number[][] => {
  const path = join(stateDir, `${name}.jsonl`);
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)) : [];
};

describe('Kafka bridge failure handling (test template)', () => {
  let runtime: LocalRuntime;
  let producer: Producer<string, string, string, string>;
  let offsetsReader: (group: string, topic: string) => Promise<bigint>;
  const readers: Consumer[] = [];

  beforeAll(async () => {
    await ensureTestBucket(s3);
    const admin = new Admin({ clientId: 'runtime-test-admin', bootstrapBrokers: kafkaBrokers() });
    await admin.createTopics({ topics: Object.values(topics), partitions: 1, replicas: 1 });
    await admin.close();
    producer = new Producer({ clientId: 'runtime-test-producer', bootstrapBrokers: kafkaBrokers(), serializers: stringSerializers });
    offsetsReader = async (group, topic) => {
      const reader = new Consumer({ groupId: group, clientId: 'runtime-test-offsets', bootstrapBrokers: kafkaBrokers() });
      readers.push(reader);
      const committed = await reader.listCommittedOffsets({ topics: [{ topic, partitions: [0] }] });
      return committed.get(topic)?.[0] ?? -1n;
    };
    runtime = await startLocalRuntime({
      templatePath: fixtureTemplate('kafka-failures'),
      stateDir: testStateDir,
      envVarsPath: envVarsFile({ Parameters: { STATE_DIR: stateDir } }),
      parameterOverrides: [`FlakyTopic=${topics.flaky}`, `ExhaustTopic=${topics.exhaust}`, `PartialTopic=${topics.partial}`, `GroupPrefix=${groupPrefix}`, `Brokers=${kafkaBrokers().join(',')}`],
      bucketNames: { FailureBucket: testBucket },
      apiPort: false,
      invokePort: false,
      kafka: true,
      kafkaRetryBaseDelayMs: 300,
      onNotice: () => undefined,
      onLog: () => undefined,
    });
  });

  afterAll(async () => {
    await runtime?.stop();
    await producer?.close();
    await Promise.all(readers.map((reader) => reader.close()));
  });

  it('retries the same batch without committing, then commits once the function succeeds', async () => {
    await producer.send({ messages: ['a', 'b', 'c'].map((value) => ({ topic: topics.flaky, key: value, value })) });
    await waitFor('two failed attempts', () => (invocations('flaky').length >= 2 ? true : undefined));
    const [first, second] = invocations('flaky');
    expect(first).toEqual([0, 1, 2]);
    expect(second).toEqual(first);
    expect(await offsetsReader(`${groupPrefix}-flaky`, topics.flaky)).toBe(-1n);

    writeFileSync(join(stateDir, 'release'), '');
    await waitFor('the commit after success', async () => ((await offsetsReader(`${groupPrefix}-flaky`, topics.flaky)) === 3n ? true : undefined));
    expect(invocations('flaky').every((offsets) => JSON.stringify(offsets) === '[0,1,2]')).toBe(true);
  });

  it('retries only from the failed record of a partial batch response', async () => {
    await producer.send({ messages: ['r0', 'r1', 'fail-once', 'r3'].map((value) => ({ topic: topics.partial, key: value, value })) });
    await waitFor('the commit of all four records', async () => ((await offsetsReader(`${groupPrefix}-partial`, topics.partial)) === 4n ? true : undefined));
    expect(invocations('partial')).toEqual([[0, 1, 2, 3], [2, 3]]);
  });

  it('writes the batch to the S3 on-failure destination once retries run out, then moves on', async () => {
    await producer.send({ messages: [{ topic: topics.exhaust, key: 'k', value: 'doomed' }] });
    const mapping = runtime.registry.model.kafkaSources.find((source) => source.id === 'ExhaustMapping')!;
    const prefix = `aws/lambda/${mapping.uuid}/${topics.exhaust}-0/`;
    const key = await waitFor('the on-failure record in MinIO', async () => (await s3.send(new ListObjectsV2Command({ Bucket: testBucket, Prefix: prefix }))).Contents?.[0]?.Key);
    const record = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: testBucket, Key: key }))).Body!.transformToString());
    expect(record).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 2, functionArn: expect.stringMatching(/:function:AlwaysFailingFunction$/) },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      KafkaBatchInfo: { batchSize: 1, bootstrapServers: kafkaBrokers().join(','), recordsInfo: { [`${topics.exhaust}-0`]: { firstRecordOffset: '0', lastRecordOffset: '0' } } },
    });
    const payload = JSON.parse(record.payload);
    expect(payload).toMatchObject({ eventSource: 'SelfManagedKafka' });
    expect(Buffer.from(payload.records[`${topics.exhaust}-0`][0].value, 'base64').toString()).toBe('doomed');
    // One invocation and MaximumRetryAttempts (1) retry.
    expect(invocations('always-failing')).toEqual([[0], [0]]);
    await waitFor('the commit past the discarded batch', async () => ((await offsetsReader(`${groupPrefix}-exhaust`, topics.exhaust)) === 1n ? true : undefined));
  });
});
