import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, PutRecordsCommand, type PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import * as z from 'zod';
import { type LocalRuntime, startLocalRuntime } from '../start-local-runtime.ts';
import { waitFor } from '../wait-for.ts';

export { waitFor };

/** Test support of the runtime package: fixtures, the local Kafka, MinIO and Kinesis, the command line. */
const packageDir = resolve(import.meta.dirname, '..');

export const fixtureTemplate = (name: string): string => join(packageDir, 'tests/fixtures', name, 'template.yaml');
export const fixtureFile = (name: string, file: string): string => join(packageDir, 'tests/fixtures', name, file);

/** One state folder for every test run, so function bundles are built once and reused. */
export const testStateDir = join(tmpdir(), 'lambda-runtime-tests');

/** Where the integration tests find Kafka and MinIO; the defaults are the local stack's. */
const endpoints = z.object({
  LAMBDA_RUNTIME_TEST_KAFKA_BROKERS: z.string().default('127.0.0.1:9092'),
  LAMBDA_RUNTIME_TEST_S3_ENDPOINT: z.url().default('http://127.0.0.1:9000'),
  LAMBDA_RUNTIME_TEST_AWS_ACCESS_KEY_ID: z.string().default('ledgerflow'),
  LAMBDA_RUNTIME_TEST_AWS_SECRET_ACCESS_KEY: z.string().default('ledgerflow-local-secret'),
  LAMBDA_RUNTIME_TEST_AWS_REGION: z.string().default('us-east-1'),
  LAMBDA_RUNTIME_TEST_BUCKET: z.string().default('lambda-runtime-tests'),
}).parse(process.env);

export const kafkaBrokers = (): string[] => endpoints.LAMBDA_RUNTIME_TEST_KAFKA_BROKERS.split(',');
export const testBucket = endpoints.LAMBDA_RUNTIME_TEST_BUCKET;

export function localS3(): S3Client {
  return new S3Client({
    endpoint: endpoints.LAMBDA_RUNTIME_TEST_S3_ENDPOINT,
    forcePathStyle: true,
    region: endpoints.LAMBDA_RUNTIME_TEST_AWS_REGION,
    credentials: { accessKeyId: endpoints.LAMBDA_RUNTIME_TEST_AWS_ACCESS_KEY_ID, secretAccessKey: endpoints.LAMBDA_RUNTIME_TEST_AWS_SECRET_ACCESS_KEY },
  });
}

/** The tests' own bucket, created when missing. */
export async function ensureTestBucket(s3: S3Client): Promise<string> {
  const exists = await s3.send(new HeadBucketCommand({ Bucket: testBucket })).then(() => true, () => false);
  if (!exists) await s3.send(new CreateBucketCommand({ Bucket: testBucket }));
  return testBucket;
}

/** An env-vars file (the `sam local --env-vars` format) with the local endpoints in Parameters, plus `sections`. */
export function envVarsFile(sections: Record<string, Record<string, string>> = {}): string {
  const parameters = {
    AWS_REGION: endpoints.LAMBDA_RUNTIME_TEST_AWS_REGION,
    AWS_ACCESS_KEY_ID: endpoints.LAMBDA_RUNTIME_TEST_AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: endpoints.LAMBDA_RUNTIME_TEST_AWS_SECRET_ACCESS_KEY,
    S3_ENDPOINT: endpoints.LAMBDA_RUNTIME_TEST_S3_ENDPOINT,
    KAFKA_BROKERS: endpoints.LAMBDA_RUNTIME_TEST_KAFKA_BROKERS,
  };
  const contents = { ...sections, Parameters: { ...parameters, ...sections.Parameters } };
  const path = join(mkdtempSync(join(tmpdir(), 'runtime-env-')), 'env.json');
  writeFileSync(path, JSON.stringify(contents, null, 2));
  return path;
}

export interface LocalKinesis {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * A Kinesis API for this test run: kinesalite (a devDependency of this package) in a child
 * process on a free loopback port, its streams in memory.
 */
export async function startLocalKinesis(): Promise<LocalKinesis> {
  const child = spawn(process.execPath, [join(packageDir, 'tests/local-kinesis-server.mjs'), '0'], { cwd: packageDir, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolvePort, reject) => {
    child.once('exit', (code) => reject(new Error(`the local Kinesis server exited (${code})`)));
    child.stdout!.once('data', (chunk: Buffer) => resolvePort(chunk.toString().trim()));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

export function localKinesisClient(endpoint: string): KinesisClient {
  return new KinesisClient({ endpoint, region: endpoints.LAMBDA_RUNTIME_TEST_AWS_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, requestHandler: new NodeHttpHandler() });
}

/** Creates a stream and waits until it is ACTIVE. */
export async function createStream(kinesis: KinesisClient, name: string, shards = 1): Promise<void> {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await waitFor(`stream ${name}`, async () => ((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary?.StreamStatus === 'ACTIVE' ? true : undefined));
}

/** Puts records in one PutRecords call; `shard` (0 or 1 of a two-shard stream) pins a record to a shard by its hash key. */
export async function putRecords(kinesis: KinesisClient, stream: string, records: { key: string; data: string; shard?: 0 | 1 }[]): Promise<PutRecordsResultEntry[]> {
  const output = await kinesis.send(new PutRecordsCommand({
    StreamName: stream,
    Records: records.map((record) => ({ PartitionKey: record.key, Data: Buffer.from(record.data), ExplicitHashKey: record.shard === undefined ? undefined : record.shard === 0 ? '0' : (2n ** 127n).toString() })),
  }));
  if (output.FailedRecordCount) throw new Error(`${output.FailedRecordCount} records were not put`);
  return output.Records!;
}

/** The runtime with only its Kinesis bridge (retries after 200 ms), quiet, for the bridge's tests. */
export function startKinesisRuntime(template: string, options: { stateDir: string; envVarsPath: string; bucketNames?: Record<string, string> }): Promise<LocalRuntime> {
  return startLocalRuntime({
    templatePath: fixtureTemplate(template),
    ...options,
    apiPort: false,
    invokePort: false,
    kinesis: true,
    kinesisRetryBaseDelayMs: 200,
    onNotice: () => undefined,
    onLog: () => undefined,
  });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the package's command line (`lambda-runtime ...`) with the tests' state folder. */
export function runCli(args: string[], input?: string): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    const child = execFile(process.execPath, [join(packageDir, 'bin/lambda-runtime.mjs'), ...args, '--state-dir', testStateDir], { cwd: packageDir }, (_error, stdout, stderr) =>
      resolvePromise({ code: child.exitCode, stdout, stderr }),
    );
    child.stdin!.end(input ?? '');
  });
}
