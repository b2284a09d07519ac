import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceNames } from '#contracts/registry.ts';
import { ConfigurationError, readConfig } from '#lib/config.ts';
import { topicForSource } from '#lib/topics.ts';
import { z } from 'zod';

/**
 * Endpoints, credentials and folders of the local stack, read once. Defaults come from
 * local-stack/env.json (what the functions are given), so the stack and the functions
 * agree without repeating a port or a secret; environment variables override them.
 */

/** Every service binds to loopback only. */
export const loopback = '127.0.0.1';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const envJsonSchema = z.object({
  Parameters: z.object({
    AWS_REGION: z.string().min(1),
    AWS_ACCESS_KEY_ID: z.string().min(1),
    AWS_SECRET_ACCESS_KEY: z.string().min(8),
    S3_ENDPOINT: z.url(),
    KAFKA_BROKERS: z.string().min(1),
  }),
  ValidateFunction: z.object({ LAKE_BUCKET: z.string().min(3) }),
  MergeTriggerFunction: z.object({ JOB_SERVICE_URL: z.url() }),
});
export type EnvJson = z.infer<typeof envJsonSchema>;

export function readEnvJson(path = join(repoRoot, 'local-stack/env.json')): EnvJson {
  return envJsonSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

const portOf = (address: string) => Number(new URL(address.includes('://') ? address : `tcp://${address}`).port);
const port = z.coerce.number().int().min(1).max(65_535);

/** The variables that may override a default, with the defaults taken from env.json. */
function overridesSchema(defaults: EnvJson) {
  const kafkaPort = portOf(defaults.Parameters.KAFKA_BROKERS.split(',')[0]!);
  return z.object({
    KAFKA_PORT: port.default(kafkaPort),
    /** Defaults to the broker port + 1. */
    KAFKA_CONTROLLER_PORT: port.optional(),
    KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(64).default(3),
    TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/).default('ingest.'),
    MINIO_PORT: port.default(portOf(defaults.Parameters.S3_ENDPOINT)),
    /** Defaults to the S3 port + 1. */
    MINIO_CONSOLE_PORT: port.optional(),
    MINIO_ROOT_USER: z.string().min(3).default(defaults.Parameters.AWS_ACCESS_KEY_ID),
    MINIO_ROOT_PASSWORD: z.string().min(8, 'MinIO needs at least 8 characters').default(defaults.Parameters.AWS_SECRET_ACCESS_KEY),
    LAKE_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name').default(defaults.ValidateFunction.LAKE_BUCKET),
    JOB_SERVICE_PORT: port.default(portOf(defaults.MergeTriggerFunction.JOB_SERVICE_URL)),
    LEDGERFLOW_STACK_DIR: z.string().min(1).default(join(repoRoot, '.stack')),
    LEDGERFLOW_SPARK_JARS: z.string().min(1).optional(),
  });
}

export interface StackSettings {
  repoRoot: string;
  region: string;
  kafkaPort: number;
  kafkaControllerPort: number;
  /** Bootstrap servers for Kafka clients, e.g. ["127.0.0.1:9092"]. */
  kafkaBrokers: string[];
  kafkaPartitions: number;
  topicPrefix: string;
  /** One topic per data contract: ingest.transactions, ingest.policies, ingest.claims. */
  sourceTopics: string[];
  minioPort: number;
  minioConsolePort: number;
  /** S3 API endpoint of MinIO, e.g. http://127.0.0.1:9000 (clients need path-style addressing). */
  s3Endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  lakeBucket: string;
  jobServicePort: number;
  jobServiceUrl: string;
  paths: StackPaths;
}

export interface StackPaths {
  /** The one folder that holds all state; `stack:down --purge` deletes it. */
  root: string;
  kafka: string;
  minio: string;
  venv: string;
  venvPython: string;
  jars: string;
  data: string;
  logs: string;
  pids: string;
}

export function stackPathsFor(root: string, sparkJars?: string): StackPaths {
  return {
    root,
    kafka: join(root, 'kafka'),
    minio: join(root, 'minio'),
    venv: join(root, 'venv'),
    venvPython: join(root, 'venv/bin/python'),
    jars: sparkJars ?? join(root, 'jars'),
    data: join(root, 'data'),
    logs: join(root, 'logs'),
    pids: join(root, 'pids'),
  };
}

export function readStackSettings(env: NodeJS.ProcessEnv = process.env, defaults: EnvJson = readEnvJson()): StackSettings {
  const values = readConfig(overridesSchema(defaults), env);
  const kafkaControllerPort = values.KAFKA_CONTROLLER_PORT ?? values.KAFKA_PORT + 1;
  const minioConsolePort = values.MINIO_CONSOLE_PORT ?? values.MINIO_PORT + 1;
  if (values.KAFKA_PORT === kafkaControllerPort) throw new ConfigurationError('KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ');
  if (values.MINIO_PORT === minioConsolePort) throw new ConfigurationError('MINIO_PORT and MINIO_CONSOLE_PORT must differ');
  return {
    repoRoot,
    region: defaults.Parameters.AWS_REGION,
    kafkaPort: values.KAFKA_PORT,
    kafkaControllerPort,
    kafkaBrokers: [`${loopback}:${values.KAFKA_PORT}`],
    kafkaPartitions: values.KAFKA_PARTITIONS,
    topicPrefix: values.TOPIC_PREFIX,
    sourceTopics: sourceNames().map((source) => topicForSource(values.TOPIC_PREFIX, source)),
    minioPort: values.MINIO_PORT,
    minioConsolePort,
    s3Endpoint: `http://${loopback}:${values.MINIO_PORT}`,
    credentials: { accessKeyId: values.MINIO_ROOT_USER, secretAccessKey: values.MINIO_ROOT_PASSWORD },
    lakeBucket: values.LAKE_BUCKET,
    jobServicePort: values.JOB_SERVICE_PORT,
    jobServiceUrl: `http://${loopback}:${values.JOB_SERVICE_PORT}`,
    paths: stackPathsFor(resolve(values.LEDGERFLOW_STACK_DIR), values.LEDGERFLOW_SPARK_JARS && resolve(values.LEDGERFLOW_SPARK_JARS)),
  };
}

export const stackSettings: StackSettings = readStackSettings();

/**
 * The environment a process needs to reach the stack the way the functions do
 * (the names of local-stack/env.json), for child processes and tools.
 */
export function clientEnvironment(settings: StackSettings = stackSettings): Record<string, string> {
  return {
    AWS_REGION: settings.region,
    AWS_ACCESS_KEY_ID: settings.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: settings.credentials.secretAccessKey,
    S3_ENDPOINT: settings.s3Endpoint,
    KAFKA_BROKERS: settings.kafkaBrokers.join(','),
    TOPIC_PREFIX: settings.topicPrefix,
    LAKE_BUCKET: settings.lakeBucket,
    JOB_SERVICE_URL: settings.jobServiceUrl,
    LEDGERFLOW_SPARK_JARS: settings.paths.jars,
  };
}
