import { join, resolve } from 'node:path';
import { z } from 'zod';
import { StackConfigurationError } from './config.ts';
import type { StackDefinition } from './definition.ts';

/**
 * Endpoints, credentials and folders of a stack, read once: the definition gives the
 * defaults; the variables of the components it runs (KAFKA_PORT, MINIO_PORT, ...) override them.
 */

/** Every service binds to loopback only. */
export const loopback = '127.0.0.1';

const port = z.coerce.number().int().min(1).max(65_535);

function overridesSchema(definition: StackDefinition) {
  return z.object({
    KAFKA_PORT: port.default(definition.kafka.port),
    /** Defaults to the broker port + 1. */
    KAFKA_CONTROLLER_PORT: port.optional(),
    KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(64).default(definition.kafka.partitions ?? 3),
    MINIO_PORT: port.default(definition.s3.port),
    /** Defaults to the S3 port + 1. */
    MINIO_CONSOLE_PORT: port.optional(),
    MINIO_ROOT_USER: z.string().min(3).default(definition.credentials.accessKeyId),
    MINIO_ROOT_PASSWORD: z.string().min(8, 'MinIO needs at least 8 characters').default(definition.credentials.secretAccessKey),
    // The names the postgres image uses.
    POSTGRES_PORT: port.default(definition.postgres?.port ?? 5432),
    POSTGRES_USER: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case SQL name').default(definition.postgres?.user ?? 'postgres'),
    POSTGRES_PASSWORD: z.string().min(8, 'PostgreSQL needs at least 8 characters').default(definition.postgres?.password ?? 'postgres-local'),
    POSTGRES_DB: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case SQL name').default(definition.postgres?.database ?? 'postgres'),
  });
}

const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name');

export interface StackSettings {
  /** The definition the settings were read from; components read their parts of it. */
  definition: StackDefinition;
  region: string;
  kafkaPort: number;
  kafkaControllerPort: number;
  /** Bootstrap servers for Kafka clients, e.g. ["127.0.0.1:9092"]. */
  kafkaBrokers: string[];
  kafkaPartitions: number;
  /** The SASL_SSL (SCRAM-SHA-512) listener, when the definition asks for one. */
  kafkaSaslTls?: KafkaSaslTlsSettings;
  topics: string[];
  minioPort: number;
  minioConsolePort: number;
  /** S3 API endpoint of MinIO, e.g. http://127.0.0.1:9000 (clients need path-style addressing). */
  s3Endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  bucket: string;
  /** The PostgreSQL server, when the definition has one. */
  postgres?: PostgresSettings;
  /** The definition's extra services with their addresses. */
  services: { name: string; port: number; url: string }[];
  paths: StackPaths;
}

export interface KafkaSaslTlsSettings {
  port: number;
  /** Bootstrap servers of the SASL_SSL listener, e.g. ["127.0.0.1:9094"]. */
  brokers: string[];
  user: string;
  password: string;
  /** PEM certificate of the CA that signed the broker's certificate. */
  caFile: string;
}

export interface PostgresSettings {
  port: number;
  user: string;
  password: string;
  database: string;
  /** postgres://user:password@127.0.0.1:port/database */
  url: string;
}

export interface StackPaths {
  /** The one folder that holds all state; `down --purge` deletes it. */
  root: string;
  kafka: string;
  /** The broker's throwaway CA, certificate and keystore (kafka.saslTls). */
  kafkaTls: string;
  minio: string;
  venv: string;
  venvPython: string;
  jars: string;
  lambdaNode: string;
  postgres: string;
  data: string;
  logs: string;
  pids: string;
}

export function stackPathsFor(root: string, sparkJars?: string): StackPaths {
  return {
    root,
    kafka: join(root, 'kafka'),
    kafkaTls: join(root, 'kafka-tls'),
    minio: join(root, 'minio'),
    venv: join(root, 'venv'),
    venvPython: join(root, 'venv/bin/python'),
    jars: sparkJars ?? join(root, 'jars'),
    lambdaNode: join(root, 'lambda-node'),
    postgres: join(root, 'postgres'),
    data: join(root, 'data'),
    logs: join(root, 'logs'),
    pids: join(root, 'pids'),
  };
}

export function readStackSettings(definition: StackDefinition, env: NodeJS.ProcessEnv = process.env): StackSettings {
  const overrides = overridesSchema(definition).safeParse(env);
  if (!overrides.success) throw new StackConfigurationError(`invalid environment: ${z.prettifyError(overrides.error)}`);
  const values = overrides.data;
  const kafkaControllerPort = values.KAFKA_CONTROLLER_PORT ?? values.KAFKA_PORT + 1;
  const minioConsolePort = values.MINIO_CONSOLE_PORT ?? values.MINIO_PORT + 1;
  if (values.KAFKA_PORT === kafkaControllerPort) throw new StackConfigurationError('KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ');
  if (values.MINIO_PORT === minioConsolePort) throw new StackConfigurationError('MINIO_PORT and MINIO_CONSOLE_PORT must differ');
  const bucket = bucketName.safeParse(definition.s3.bucket);
  if (!bucket.success) throw new StackConfigurationError(`s3.bucket "${definition.s3.bucket}": must be a valid S3 bucket name`);
  const saslTls = definition.kafka.saslTls;
  if (saslTls && [values.KAFKA_PORT, kafkaControllerPort].includes(saslTls.port)) {
    throw new StackConfigurationError('kafka.saslTls.port must differ from KAFKA_PORT and KAFKA_CONTROLLER_PORT');
  }
  // The password goes into a SCRAM config entry, `[password=...]`, which has no quoting.
  if (saslTls && !/^[^\s,=[\]]{8,}$/.test(saslTls.password)) {
    throw new StackConfigurationError('kafka.saslTls.password: at least 8 characters, without spaces, commas, "=" or brackets');
  }
  const paths = stackPathsFor(resolve(definition.stateDir), definition.spark?.dir && resolve(definition.spark.dir));
  return {
    definition,
    region: definition.region,
    kafkaPort: values.KAFKA_PORT,
    kafkaControllerPort,
    kafkaBrokers: [`${loopback}:${values.KAFKA_PORT}`],
    kafkaPartitions: values.KAFKA_PARTITIONS,
    kafkaSaslTls: saslTls && {
      ...saslTls,
      brokers: [`${loopback}:${saslTls.port}`],
      caFile: join(paths.kafkaTls, 'ca.pem'),
    },
    topics: definition.kafka.topics,
    minioPort: values.MINIO_PORT,
    minioConsolePort,
    s3Endpoint: `http://${loopback}:${values.MINIO_PORT}`,
    credentials: { accessKeyId: values.MINIO_ROOT_USER, secretAccessKey: values.MINIO_ROOT_PASSWORD },
    bucket: bucket.data,
    postgres: definition.postgres && {
      port: values.POSTGRES_PORT,
      user: values.POSTGRES_USER,
      password: values.POSTGRES_PASSWORD,
      database: values.POSTGRES_DB,
      url: `postgres://${values.POSTGRES_USER}:${encodeURIComponent(values.POSTGRES_PASSWORD)}@${loopback}:${values.POSTGRES_PORT}/${values.POSTGRES_DB}`,
    },
    services: (definition.services ?? []).map((service) => ({ name: service.name, port: service.port, url: `http://${loopback}:${service.port}` })),
    paths,
  };
}

/** The address of one of the definition's extra services, e.g. http://127.0.0.1:3002. */
export function serviceUrl(settings: StackSettings, name: string): string {
  const service = settings.services.find((candidate) => candidate.name === name);
  if (!service) throw new StackConfigurationError(`the stack definition has no service "${name}"`);
  return service.url;
}
