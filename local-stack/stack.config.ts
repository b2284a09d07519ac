import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  clientEnvironment,
  defineStack,
  loopback,
  readStackSettings,
  type StackDefinition,
  type StackSettings,
  serviceUrl,
  sparkEnvironment,
} from '@ledgerflow/local-services';
import { z } from 'zod';
import { sourceNames } from '#contracts/registry.ts';
import { readConfig } from '#lib/config.ts';
import { kinesisStreamPrefix, streamForSource } from '#lib/kinesis.ts';
import { topicForSource } from '#lib/topics.ts';
import { migrateReferenceData } from '../layers/reference-data/reference-data.ts';

/**
 * This product's local stack, for `npm run stack:*` (local-services --config) and for the
 * tools and tests that reach it. Defaults come from local-stack/env.json, the values the
 * functions get, so the stack and the functions agree without repeating a port or a secret.
 * This module is the product's one reader of env.json for stack endpoints.
 */

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sparkDir = join(repoRoot, 'spark');

const envJsonSchema = z.object({
  Parameters: z.object({
    AWS_REGION: z.string().min(1),
    AWS_ACCESS_KEY_ID: z.string().min(1),
    AWS_SECRET_ACCESS_KEY: z.string().min(8),
    S3_ENDPOINT: z.url(),
    KAFKA_BROKERS: z.string().min(1),
    KINESIS_ENDPOINT: z.url(),
    // The reference database, in libpq's names.
    PGPORT: z.coerce.number().int().min(1).max(65_535),
    PGUSER: z.string().min(1),
    PGPASSWORD: z.string().min(8),
    PGDATABASE: z.string().min(1),
  }),
  ValidateFunction: z.object({ LAKE_BUCKET: z.string().min(3) }),
  // The job service takes requests that carry this token only (spark/ledgerflow_spark/job_service.py).
  MergeTriggerFunction: z.object({ JOB_SERVICE_URL: z.url(), JOB_SERVICE_TOKEN: z.string().min(16) }),
});
export type EnvJson = z.infer<typeof envJsonSchema>;

export function readEnvJson(path = join(repoRoot, 'local-stack/env.json')): EnvJson {
  return envJsonSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

const portOf = (address: string) => Number(new URL(address.includes('://') ? address : `tcp://${address}`).port);

/** The product's own variables; the package reads those of its components (KAFKA_PORT, MINIO_PORT, ...). */
function productSchema(defaults: EnvJson) {
  return z.object({
    TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/).default('ingest.'),
    LAKE_BUCKET: z.string().default(defaults.ValidateFunction.LAKE_BUCKET),
    JOB_SERVICE_PORT: z.coerce.number().int().min(1).max(65_535).default(portOf(defaults.MergeTriggerFunction.JOB_SERVICE_URL)),
    LEDGERFLOW_STACK_DIR: z.string().min(1).default(join(repoRoot, '.stack')),
    LEDGERFLOW_SPARK_JARS: z.string().min(1).optional(),
  });
}

/**
 * Stage of local Kinesis runs (`local:start -- --parameter-overrides StreamEngine=kinesis Stage=local`):
 * the template names its streams ledgerflow-<Stage>-<source>, and the stack creates those.
 */
export const localStage = 'local';

/** The freshness benchmark's own bucket (bench/stages/freshness.ts): the job service merges it beside the lake. */
export const benchFreshnessBucket = 'ledgerflow-bench-fresh';

/** Shards of each local stream: two pollers per stream in the runtime, some parallelism without busy polling. */
const localShards = 2;

/** Must equal the Hadoop inside pyspark's own jars/ folder (local-stack/requirements.txt); checked after install. */
const hadoopVersion = '3.3.4';

export function ledgerflowStack(env: NodeJS.ProcessEnv = process.env, defaults: EnvJson = readEnvJson()): StackDefinition {
  const values = readConfig(productSchema(defaults), env);
  const productEnvironment = (settings: StackSettings) => ({
    TOPIC_PREFIX: values.TOPIC_PREFIX,
    LAKE_BUCKET: settings.bucket,
    JOB_SERVICE_URL: serviceUrl(settings, 'job-service'),
    LEDGERFLOW_SPARK_JARS: settings.paths.jars,
  });
  return defineStack({
    name: 'ledgerflow',
    stateDir: resolve(values.LEDGERFLOW_STACK_DIR),
    region: defaults.Parameters.AWS_REGION,
    credentials: { accessKeyId: defaults.Parameters.AWS_ACCESS_KEY_ID, secretAccessKey: defaults.Parameters.AWS_SECRET_ACCESS_KEY },
    // One topic per data contract: ingest.transactions, ingest.policies, ingest.claims.
    kafka: { port: portOf(defaults.Parameters.KAFKA_BROKERS.split(',')[0]!), partitions: 3, topics: sourceNames().map((source) => topicForSource(values.TOPIC_PREFIX, source)) },
    s3: { port: portOf(defaults.Parameters.S3_ENDPOINT), bucket: values.LAKE_BUCKET },
    // PySpark, delta-spark, pytest, the SAM CLI and cfn-lint.
    python: { requirementsFile: join(repoRoot, 'local-stack/requirements.txt') },
    spark: {
      jars: [
        { groupId: 'io.delta', artifactId: 'delta-spark_2.12', version: '3.2.1' },
        { groupId: 'io.delta', artifactId: 'delta-storage', version: '3.2.1' },
        { groupId: 'org.apache.hadoop', artifactId: 'hadoop-aws', version: hadoopVersion },
        // the AWS SDK that hadoop-aws 3.3.4 was built against
        { groupId: 'com.amazonaws', artifactId: 'aws-java-sdk-bundle', version: '1.12.262' },
        // JDBC driver: the gold jobs read the reference tables from PostgreSQL
        { groupId: 'org.postgresql', artifactId: 'postgresql', version: '42.7.14' },
      ],
      dir: values.LEDGERFLOW_SPARK_JARS && resolve(values.LEDGERFLOW_SPARK_JARS),
    },
    // Reference data for the gold jobs; every `up` applies the migrations and the shipped rows (idempotent).
    postgres: {
      port: defaults.Parameters.PGPORT,
      user: defaults.Parameters.PGUSER,
      password: defaults.Parameters.PGPASSWORD,
      database: defaults.Parameters.PGDATABASE,
      async provision(url) {
        const outcome = await migrateReferenceData(url);
        const changed = Object.entries(outcome.changed).filter(([, rows]) => rows > 0);
        if (outcome.applied.length > 0 || changed.length > 0) {
          console.log(`    reference data: migrations [${outcome.applied.join(', ')}], rows written ${changed.map(([table, rows]) => `${table} ${rows}`).join(', ') || 'none'}`);
        }
      },
    },
    // The template's Lambda runtime is nodejs22.x; the Docker-free runtime runs it from <stateDir>/lambda-node.
    lambdaNode: { version: '22' },
    services: [
      {
        // The local Kinesis Data Streams API (kinesalite), for StreamEngine=kinesis; started
        // always, since it is light (local-stack/README.md), with one stream per data contract.
        name: 'kinesis',
        port: portOf(defaults.Parameters.KINESIS_ENDPOINT),
        healthPath: '/health',
        command: (settings) => ({
          executable: process.execPath,
          args: [
            '--import',
            'tsx',
            join(repoRoot, 'local-stack/kinesis-server.ts'),
            '--port',
            String(portOf(defaults.Parameters.KINESIS_ENDPOINT)),
            '--data',
            join(settings.paths.root, 'kinesis'),
            '--shards',
            String(localShards),
            '--streams',
            localSourceStreams().join(','),
          ],
          cwd: repoRoot,
          env: { ...process.env, ...clientEnvironment(settings) },
        }),
      },
      {
        // The local stand-in for EMR Serverless that the merge trigger submits to.
        name: 'job-service',
        port: values.JOB_SERVICE_PORT,
        healthPath: '/health',
        // a JVM and a Spark session start before the service answers
        startTimeoutMs: 180_000,
        enabled: existsSync(join(sparkDir, 'ledgerflow_spark/job_service.py')),
        command: (settings) => ({
          executable: settings.paths.venvPython,
          args: ['-m', 'ledgerflow_spark.job_service', '--host', loopback, '--port', String(values.JOB_SERVICE_PORT)],
          cwd: repoRoot,
          env: { ...sparkEnvironment(settings), JOB_SERVICE_TOKEN: defaults.MergeTriggerFunction.JOB_SERVICE_TOKEN, OTHER_LAKE_BUCKETS: benchFreshnessBucket, PYTHONPATH: sparkDir, PYTHONUNBUFFERED: '1' },
        }),
      },
    ],
    clientEnvironment: productEnvironment,
  });
}

/** The Kinesis stream of each data contract, as the template names them for Stage=local. */
export const localSourceStreams = () => sourceNames().map((source) => streamForSource(kinesisStreamPrefix(localStage), source));

/** The stack's settings with this product's names for what it holds. */
export interface LocalStack extends StackSettings {
  repoRoot: string;
  topicPrefix: string;
  /** One topic per data contract. */
  sourceTopics: string[];
  lakeBucket: string;
  jobServicePort: number;
  jobServiceUrl: string;
  /** Bearer token of every job service request but GET /health. */
  jobServiceToken: string;
  /** The local Kinesis API (kinesalite) and its streams, one per data contract. */
  kinesisEndpoint: string;
  sourceStreams: string[];
  /** postgres://user:password@127.0.0.1:port/database of the reference database. */
  referenceDbUrl: string;
}

export function readLocalStack(env: NodeJS.ProcessEnv = process.env, defaults: EnvJson = readEnvJson()): LocalStack {
  const settings = readStackSettings(ledgerflowStack(env, defaults), env);
  const environment = clientEnvironment(settings);
  return {
    ...settings,
    repoRoot,
    topicPrefix: environment.TOPIC_PREFIX!,
    sourceTopics: settings.topics,
    lakeBucket: settings.bucket,
    jobServicePort: settings.services.find((service) => service.name === 'job-service')!.port,
    jobServiceUrl: serviceUrl(settings, 'job-service'),
    jobServiceToken: defaults.MergeTriggerFunction.JOB_SERVICE_TOKEN,
    kinesisEndpoint: defaults.Parameters.KINESIS_ENDPOINT,
    sourceStreams: localSourceStreams(),
    referenceDbUrl: settings.postgres!.url,
  };
}

/** Read once, from the environment of this process. */
export const stackSettings: LocalStack = readLocalStack();

export default ledgerflowStack();
