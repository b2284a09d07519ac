import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../start-local-runtime.ts';
import type { SeenRecord } from '../fixtures/kinesis/invocations.ts';
import { createStream, envVarsFile, type LocalKinesis, localKinesisClient, putRecords, startKinesisRuntime, startLocalKinesis, waitFor } from '../support.ts';

/** A state folder of its own: the checkpoints start empty. */
const runtimeStateDir = mkdtempSync(join(tmpdir(), 'runtime-kinesis-restart-'));
const recordsDir = mkdtempSync(join(tmpdir(), 'runtime-kinesis-restart-records-'));

const delivered = (): string[][] => {
  const path = join(recordsDir, 'GatedFunction.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((line) => (JSON.parse(line).records as SeenRecord[]).map((record) => record.data));
};

describe('Kinesis bridge checkpoints across runtime restarts', () => {
  let kinesisServer: LocalKinesis;
  let kinesis: KinesisClient;
  let envVarsPath: string;
  let runtime: LocalRuntime | undefined;

  const start = async () => {
    runtime = await startKinesisRuntime('kinesis-restart', { stateDir: runtimeStateDir, envVarsPath });
  };
  const stop = async () => {
    await runtime?.stop();
    runtime = undefined;
  };
  const checkpoint = (): string | undefined => {
    const uuid = runtime!.registry.model.kinesisSources[0]!.uuid;
    const path = join(runtimeStateDir, 'runtime', 'kinesis-bridge', `${uuid}.json`);
    return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')).shards['shardId-000000000000'] : undefined;
  };

  beforeAll(async () => {
    kinesisServer = await startLocalKinesis();
    kinesis = localKinesisClient(kinesisServer.endpoint);
    await createStream(kinesis, 'GatedStream');
    envVarsPath = envVarsFile({ Parameters: { STATE_DIR: recordsDir, KINESIS_ENDPOINT: kinesisServer.endpoint } });
  });

  afterEach(stop);

  afterAll(async () => {
    kinesis?.destroy();
    await kinesisServer?.stop();
  });

  it('does not checkpoint a failing batch, delivers it again after a restart, and never re-delivers what was checkpointed', async () => {
    await start();
    const first = await putRecords(kinesis, 'GatedStream', ['a', 'b', 'c'].map((data) => ({ key: data, data })));
    await waitFor('two failed attempts', () => (delivered().length >= 2 ? true : undefined));
    expect(checkpoint()).toBeUndefined();
    await stop();

    writeFileSync(join(recordsDir, 'release'), '');
    const attemptsBeforeRestart = delivered().length;
    await start();
    await waitFor('the checkpoint after c', () => (checkpoint() === first[2]!.SequenceNumber ? true : undefined));
    expect(delivered().slice(attemptsBeforeRestart)).toEqual([['a', 'b', 'c']]);

    const second = await putRecords(kinesis, 'GatedStream', ['d', 'e'].map((data) => ({ key: data, data })));
    await waitFor('the checkpoint after e', () => (checkpoint() === second[1]!.SequenceNumber ? true : undefined));
    await stop();

    // Written while the runtime is down: delivered after the next start, after e and nothing before.
    const third = await putRecords(kinesis, 'GatedStream', [{ key: 'f', data: 'f' }]);
    const deliveredBeforeSecondRestart = delivered().length;
    await start();
    await waitFor('the checkpoint after f', () => (checkpoint() === third[0]!.SequenceNumber ? true : undefined));
    expect(delivered().slice(deliveredBeforeSecondRestart)).toEqual([['f']]);
    expect(delivered().slice(attemptsBeforeRestart)).toEqual([['a', 'b', 'c'], ['d', 'e'], ['f']]);
  });
});
