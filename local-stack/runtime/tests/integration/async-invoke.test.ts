import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../../async-invoke.ts';
import { type LocalRuntime, startLocalRuntime } from '../../start-local-runtime.ts';
import { ensureTestBucket, envVarsFile, fixtureTemplate, localS3, testBucket, testStateDir, waitFor } from '../support.ts';

const prefix = `async-test-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}/`;
const stateDir = mkdtempSync(join(tmpdir(), 'runtime-async-'));
const s3 = localS3();

const attempts = (name: string, key: string): number => {
  try {
    return readFileSync(join(stateDir, `${name}.log`), 'utf8').split('\n').filter((line) => line === key).length;
  } catch {
    return 0;
  }
};

describe('asynchronous invocations of S3 events (test template)', () => {
  let runtime: LocalRuntime;
  const notices: string[] = [];

  beforeAll(async () => {
    await ensureTestBucket(s3);
    runtime = await startLocalRuntime({
      templatePath: fixtureTemplate('async-invoke'),
      stateDir: testStateDir,
      envVarsPath: envVarsFile({ Parameters: { STATE_DIR: stateDir } }),
      parameterOverrides: [`Prefix=${prefix}`],
      bucketNames: { WatchedBucket: testBucket },
      apiPort: false,
      invokePort: false,
      s3: true,
      asyncRetryBaseDelayMs: 200,
      onNotice: (text) => notices.push(text),
      onLog: () => undefined,
    });
  });

  afterAll(async () => {
    await runtime?.stop();
  });

  it('retries a function that fails twice and stops once it succeeds, writing no dead letter', async () => {
    const key = `${prefix}flaky/object-fail2`;
    await s3.send(new PutObjectCommand({ Bucket: testBucket, Key: key, Body: '{}' }));
    await waitFor('the third attempt', () => (notices.some((text) => text.includes('FailsThenSucceedsFunction') && text.includes('attempt 2')) && attempts('fails-then-succeeds', key) === 3 ? true : undefined), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(attempts('fails-then-succeeds', key)).toBe(3);
    const deadLetters = await s3.send(new ListObjectsV2Command({ Bucket: testBucket, Prefix: 'aws/lambda/async/FailsThenSucceedsFunction/' }));
    const mine = await Promise.all((deadLetters.Contents ?? []).map(async (object) => readRecord(object.Key!)));
    expect(mine.filter((record) => JSON.stringify(record.requestPayload).includes(key))).toEqual([]);
  });

  it('sends an event that fails every attempt to the on-failure destination in AWS\'s invocation-record shape', async () => {
    const key = `${prefix}poison/object`;
    await s3.send(new PutObjectCommand({ Bucket: testBucket, Key: key, Body: '{}' }));
    const record = await waitFor('the dead letter', async () => {
      const listing = await s3.send(new ListObjectsV2Command({ Bucket: testBucket, Prefix: 'aws/lambda/async/AlwaysFailsFunction/' }));
      for (const object of listing.Contents ?? []) {
        const candidate = await readRecord(object.Key!);
        if (JSON.stringify(candidate.requestPayload).includes(key)) return { key: object.Key!, candidate };
      }
      return undefined;
    }, 30_000);
    expect(record.key).toMatch(/^aws\/lambda\/async\/AlwaysFailsFunction\/\d{4}\/\d{2}\/\d{2}\/\d{4}-\d{2}-\d{2}T\d{2}\.\d{2}\.\d{2}-[0-9a-f-]{36}$/);
    expect(attempts('always-fails', key)).toBe(3);
    expect(record.candidate).toMatchObject({
      version: '1.0',
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3, functionArn: expect.stringMatching(/^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:AlwaysFailsFunction:\$LATEST$/) },
      requestPayload: { Records: [{ eventSource: 'aws:s3', s3: { bucket: { name: testBucket }, object: { key } } }] },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'PoisonObjectError', errorMessage: `attempt 3 of ${key} fails on purpose` },
    });
    expect(Date.parse(record.candidate.timestamp)).not.toBeNaN();
  });
});

async function readRecord(key: string): Promise<InvocationRecord> {
  const object = await s3.send(new GetObjectCommand({ Bucket: testBucket, Key: key }));
  return JSON.parse(await object.Body!.transformToString()) as InvocationRecord;
}
