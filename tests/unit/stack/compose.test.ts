import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kafkaVersion } from '@ledgerflow/local-services';
import { readLocalStack } from '../../../local-stack/stack.config.ts';

/**
 * docker-compose.yml cannot run without Docker; these checks keep it valid and in step with
 * the Docker-free stack, and env.docker.json (functions in `sam local` containers) in step
 * with env.json (functions on this machine).
 *
 * tests/fixtures/compose-spec.json is the Compose specification's schema, unchanged, from
 * github.com/compose-spec/compose-spec, schema/compose-spec.json at commit
 * 170098ba07d9f53c383a41bfd4c5166b0a4529a6 (its last change: a08f8d51, 2025-10-28).
 */

const readText = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
const readJson = (path: string) => JSON.parse(readText(path)) as Record<string, Record<string, string>>;

interface ComposeService {
  image?: string;
  ports?: string[];
  command?: string | string[];
  environment?: Record<string, string | number>;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  networks?: Record<string, { name?: string }>;
}
const composeText = readText('local-stack/docker-compose.yml');
const compose = parse(composeText) as ComposeFile;
const composeEnv = Object.fromEntries(
  readText('local-stack/.env')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => line.split('=', 2) as [string, string]),
);
const envJson = readJson('local-stack/env.json');
const envDockerJson = readJson('local-stack/env.docker.json');

/** The file as `docker compose` reads it: ${VAR} from .env, $$ an escaped $. */
function interpolated(text: string, variables: Record<string, string>): unknown {
  return parse(
    text.replace(/\$\$|\$\{([A-Z_]+)\}/g, (_escape, name?: string) => {
      if (!name) return '$';
      if (!(name in variables)) throw new Error(`docker-compose.yml uses \${${name}}, which local-stack/.env does not set`);
      return variables[name]!;
    }),
  );
}

/** The port a service listens on inside the network, from its `127.0.0.1:${HOST}:<container>` mapping. */
const containerPorts = (service: string) => (compose.services[service]?.ports ?? []).map((port) => Number(port.split(':').at(-1)));

describe('docker-compose.yml', () => {
  it('is valid YAML with the same services as the Docker-free stack, plus the init containers', () => {
    expect(Object.keys(compose.services)).toEqual(['kafka', 'kafka-init', 'minio', 'minio-init', 'postgres', 'job-service']);
  });

  it('reads in .env the same ports, credentials and bucket as the stack defaults', () => {
    const defaults = readLocalStack({});

    expect(composeEnv).toMatchObject({
      KAFKA_PORT: String(defaults.kafkaPort),
      KAFKA_CONTROLLER_PORT: String(defaults.kafkaControllerPort),
      KAFKA_PARTITIONS: String(defaults.kafkaPartitions),
      MINIO_PORT: String(defaults.minioPort),
      MINIO_CONSOLE_PORT: String(defaults.minioConsolePort),
      MINIO_ROOT_USER: defaults.credentials.accessKeyId,
      MINIO_ROOT_PASSWORD: defaults.credentials.secretAccessKey,
      LAKE_BUCKET: defaults.lakeBucket,
      JOB_SERVICE_PORT: String(defaults.jobServicePort),
      JOB_SERVICE_TOKEN: defaults.jobServiceToken,
      AWS_REGION: defaults.region,
      POSTGRES_PORT: String(defaults.postgres!.port),
      POSTGRES_USER: defaults.postgres!.user,
      POSTGRES_PASSWORD: defaults.postgres!.password,
      POSTGRES_DB: defaults.postgres!.database,
    });
  });

  it('publishes every port on 127.0.0.1 only', () => {
    const published = Object.values(compose.services).flatMap((service) => service.ports ?? []);

    expect(published.length).toBeGreaterThan(0);
    for (const port of published) expect(port).toMatch(/^127\.0\.0\.1:\$\{[A-Z_]+\}:\d+$/);
  });

  it('creates one topic per data contract, as stack:up does', () => {
    const script = [compose.services['kafka-init']?.command ?? []].flat().join('\n');
    const topics = /for topic in ([^;]+);/.exec(script)?.[1]?.trim().split(/\s+/);

    expect(topics).toEqual(readLocalStack({}).sourceTopics);
  });

  it('runs the same Kafka version as the Docker-free stack', () => {
    expect(compose.services.kafka?.image).toBe(`apache/kafka:${kafkaVersion}`);
    expect(compose.services['kafka-init']?.image).toBe(`apache/kafka:${kafkaVersion}`);
  });

  it('is valid against the Compose specification\'s JSON schema, once .env is interpolated', () => {
    const schema = JSON.parse(readText('tests/fixtures/compose-spec.json'));
    // The schema names draft-07 by an https address that Ajv does not know; Ajv's draft-07 reads it.
    delete schema.$schema;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

    const valid = validate(interpolated(composeText, composeEnv));

    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('runs on a network named ledgerflow, the one the documented `sam local --docker-network` joins', () => {
    expect(compose.networks?.default?.name).toBe('ledgerflow');
    for (const readme of ['README.md', 'local-stack/README.md']) {
      expect(readText(readme), readme).toContain('--env-vars local-stack/env.docker.json --docker-network ledgerflow');
    }
  });

  it('advertises Kafka to the machine on 127.0.0.1 and to the compose network as kafka:29092', () => {
    const kafka = compose.services.kafka!.environment!;
    const advertised = Object.fromEntries(String(kafka.KAFKA_ADVERTISED_LISTENERS).split(',').map((listener) => listener.split('://') as [string, string]));

    expect(advertised).toEqual({ HOST: '127.0.0.1:${KAFKA_PORT}', INTERNAL: 'kafka:29092' });
    expect(String(kafka.KAFKA_LISTENERS)).toContain('INTERNAL://:29092');
    expect(compose.services['job-service']?.environment?.KAFKA_BROKERS).toBe('kafka:29092');
  });
});

describe('env.docker.json (sam local --env-vars, functions in containers on the compose network)', () => {
  // KINESIS_ENDPOINT names a compose service `kinesis` that docker-compose.yml does not have yet (StreamEngine=kinesis under Docker).
  const endpointNames = ['S3_ENDPOINT', 'KAFKA_BROKERS', 'KINESIS_ENDPOINT', 'PGHOST', 'JOB_SERVICE_URL'];

  it('declares the same functions and variables as env.json', () => {
    const names = (file: Record<string, Record<string, string>>) => Object.fromEntries(Object.entries(file).map(([section, values]) => [section, Object.keys(values).sort()]));

    expect(names(envDockerJson)).toEqual(names(envJson));
  });

  it('gives the same values as env.json except the endpoints', () => {
    for (const [section, values] of Object.entries(envJson)) {
      for (const [name, value] of Object.entries(values)) {
        if (!endpointNames.includes(name)) expect(envDockerJson[section]?.[name], `${section}.${name}`).toBe(value);
      }
    }
  });

  it('points every endpoint at a compose service, on the port that service listens on inside the network', () => {
    const parameters = envDockerJson.Parameters!;
    const endpoints = [
      new URL(parameters.S3_ENDPOINT!),
      new URL(`tcp://${parameters.KAFKA_BROKERS}`),
      new URL(`tcp://${parameters.PGHOST}:${parameters.PGPORT}`),
      new URL(envDockerJson.MergeTriggerFunction!.JOB_SERVICE_URL!),
    ];

    for (const endpoint of endpoints) {
      expect(Object.keys(compose.services), endpoint.host).toContain(endpoint.hostname);
      // Kafka's internal listener is not published to the machine, so it is not among the port mappings.
      const ports = endpoint.hostname === 'kafka' ? [29092] : containerPorts(endpoint.hostname);
      expect(ports, endpoint.host).toContain(Number(endpoint.port));
    }
  });

  it('uses the credentials and the bucket that docker-compose.yml gives MinIO', () => {
    expect(envDockerJson.Parameters).toMatchObject({ AWS_ACCESS_KEY_ID: composeEnv.MINIO_ROOT_USER, AWS_SECRET_ACCESS_KEY: composeEnv.MINIO_ROOT_PASSWORD, AWS_REGION: composeEnv.AWS_REGION });
    expect(envDockerJson.ValidateFunction?.LAKE_BUCKET).toBe(composeEnv.LAKE_BUCKET);
  });
});
