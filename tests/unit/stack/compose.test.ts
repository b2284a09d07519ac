import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kafkaVersion } from '@ledgerflow/local-services';
import { readLocalStack } from '../../../local-stack/stack.config.ts';

/** docker-compose.yml cannot run without Docker; these checks keep it in step with the Docker-free stack. */

const composeFile = new URL('../../../local-stack/docker-compose.yml', import.meta.url);
const envFile = new URL('../../../local-stack/.env', import.meta.url);

interface ComposeService {
  image?: string;
  ports?: string[];
  command?: string | string[];
}
const compose = parse(readFileSync(composeFile, 'utf8')) as { services: Record<string, ComposeService> };
const composeEnv = Object.fromEntries(
  readFileSync(envFile, 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => line.split('=', 2) as [string, string]),
);

describe('docker-compose.yml', () => {
  it('is valid YAML with the same services as the Docker-free stack, plus the init containers', () => {
    expect(Object.keys(compose.services)).toEqual(['kafka', 'kafka-init', 'minio', 'minio-init', 'job-service']);
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
      AWS_REGION: defaults.region,
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
});
