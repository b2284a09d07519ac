import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { type LocalRuntime, startLocalRuntime } from '@ledgerflow/lambda-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lakeClient } from '../../tools/pipeline/settle.ts';
import { reinvoke } from '../../tools/replay/dead-letters.ts';
import { replayDeadLetters } from '../../tools/replay/run-replay.ts';
import { loadEvent } from '../fixtures/events.ts';
import { localRuntimeOptions } from '../fixtures/local-runtime.ts';

// Dead letters in a bucket of this run, re-driven through the Invoke API of a runtime of this test.
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const bucket = `replay-dead-letters-${run}`;
const s3 = lakeClient();
const lake = { s3, bucket };

const invocationRecord = (requestPayload: unknown) => ({
  version: '1.0',
  timestamp: '2026-03-01T12:00:10.000Z',
  requestContext: { requestId: `req-${run}`, functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:MergeTriggerFunction:$LATEST', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
  requestPayload,
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  responsePayload: { errorType: 'JobSubmitError', errorMessage: 'job service unreachable', stackTrace: [] },
});
const fixedKey = 'aws/lambda/async/MergeTriggerFunction/2026/03/01/2026-03-01T12.00.10-fixed';
const brokenKey = 'aws/lambda/async/MergeTriggerFunction/2026/03/01/2026-03-01T12.00.11-broken';
const keys = async () => ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((object) => object.Key!).sort();

let runtime: LocalRuntime;

beforeAll(async () => {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  // An event the merge trigger now handles (an object outside landing/: nothing to submit), and one it never will.
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: fixedKey, Body: JSON.stringify(invocationRecord(loadEvent('merge-trigger-outside-prefix'))) }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: brokenKey, Body: JSON.stringify(invocationRecord({ Records: 'not a list' })) }));
  runtime = await startLocalRuntime({ ...localRuntimeOptions, apiPort: false, invokePort: 0, onNotice: () => undefined, onLog: () => undefined });
});

afterAll(async () => {
  await runtime?.stop();
  for (const key of await keys()) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
});

describe('npm run replay -- dead-letters', () => {
  it('invokes the function again with each event; a success deletes its record, a new failure keeps it', async () => {
    const lines: string[] = [];
    const summary = await replayDeadLetters(lake, { functionName: 'MergeTrigger' }, { log: (line) => lines.push(line), dryRun: false, reinvoke: (letter) => reinvoke(runtime.invokeUrl!, letter) });
    expect(summary.selected).toBe(2);
    expect(summary.replayed).toBe(1);
    expect(summary.failed).toEqual([expect.objectContaining({ objectKey: brokenKey })]);
    expect(await keys()).toEqual([brokenKey]);
    expect(lines.join('\n')).toMatch(/RetriesExhausted after 3 attempts: job service unreachable/);
  });
});
