import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consumer, MessagesStreamModes, stringDeserializers } from '@platformatic/kafka';
import { defineStack, down, readStackSettings, type StackSettings, up } from '@ledgerflow/local-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '#lib/config.ts';
import { createRecordProducer } from '#lib/kafka.ts';
import { kafkaSettings } from '#lib/kafka-settings.ts';
import { kafkaConnectionOptions } from '#lib/kafka-security.ts';

/**
 * A private broker of this test, with the SASL_SSL (SCRAM-SHA-512) listener, on free ports in
 * a temporary state folder that links to the installed Kafka and MinIO: the shared stack is
 * never touched. The producer is the functions' own, configured as a function is, from variables.
 */

const installedDir = join(import.meta.dirname, '../../.stack');
const topic = 'secure.transactions';
const user = 'ledgerflow-producer';
const password = `scram-${randomUUID()}`;

let stateDir: string;
let stack: StackSettings;

/** Free ports, each with the next one free too (Kafka's controller and MinIO's console take port + 1). */
async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await new Promise<number>((done) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => done(port));
      });
    });
    if (port < 65_000 && !ports.some((taken) => Math.abs(taken - port) < 2)) ports.push(port);
  }
  return ports;
}

/** The producer's variables, as a function gets them with KAFKA_SECURITY=sasl-scram-sha-512. */
const producerEnvironment = (scramPassword: string) => ({
  KAFKA_BROKERS: stack.kafkaSaslTls!.brokers.join(','),
  KAFKA_SECURITY: 'sasl-scram-sha-512',
  LOCAL_KAFKA_SCRAM_USERNAME: user,
  LOCAL_KAFKA_SCRAM_PASSWORD: scramPassword,
  KAFKA_CA_FILE: stack.kafkaSaslTls!.caFile,
});

function producerWith(scramPassword: string) {
  const settings = readConfig(kafkaSettings, producerEnvironment(scramPassword));
  return createRecordProducer({ clientId: 'kafka-sasl-tls-test', brokers: settings.KAFKA_BROKERS, connection: kafkaConnectionOptions(settings) });
}

beforeAll(async () => {
  for (const component of ['kafka', 'minio']) {
    if (!existsSync(join(installedDir, component, '.installed'))) throw new Error(`this test borrows the installed ${component} from ${installedDir}: run npm run stack:install`);
  }
  stateDir = mkdtempSync(join(tmpdir(), 'kafka-sasl-tls-'));
  for (const component of ['kafka', 'minio']) symlinkSync(join(installedDir, component), join(stateDir, component));
  const [kafka, minio, saslTls] = (await freePorts(3)) as [number, number, number];
  const definition = defineStack({
    name: 'kafka-sasl-tls-test',
    stateDir,
    region: 'us-east-1',
    credentials: { accessKeyId: 'sasl-tls-test', secretAccessKey: 'sasl-tls-test-secret' },
    kafka: { port: kafka, partitions: 1, topics: [topic], saslTls: { port: saslTls, user, password } },
    s3: { port: minio, bucket: 'sasl-tls-test' },
  });
  stack = readStackSettings(definition, {});
  await up(stack);
}, 240_000);

afterAll(async () => {
  if (stack) await down(stack, { purge: false });
  // The links only, never what they point to (rmSync does not follow links).
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}, 60_000);

describe('Kafka with SASL/SCRAM over TLS', () => {
  it('takes a record from the functions producer and delivers it to a consumer on the same listener', async () => {
    const key = randomUUID();
    const producer = producerWith(password);
    const connection = kafkaConnectionOptions(readConfig(kafkaSettings, producerEnvironment(password)));
    const consumer = new Consumer({ clientId: 'kafka-sasl-tls-test', groupId: `sasl-tls-${key}`, bootstrapBrokers: stack.kafkaSaslTls!.brokers, deserializers: stringDeserializers, ...connection });
    try {
      await producer.send({ messages: [{ topic, key, value: '{"amount":"12.50"}', headers: { 'event-id': key } }] });

      const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false });
      let received: { key: string; value: string; eventId: string | undefined } | undefined;
      for await (const message of stream) {
        received = { key: message.key, value: message.value, eventId: message.headers.get('event-id') };
        break;
      }
      await stream.close();

      expect(received).toEqual({ key, value: '{"amount":"12.50"}', eventId: key });
    } finally {
      await producer.close();
      await consumer.close(true);
    }
  });

  it('refuses a wrong password with an authentication error', async () => {
    const producer = producerWith(`${password}-wrong`);
    try {
      const failure = await producer.send({ messages: [{ topic, key: 'k', value: '{}', headers: {} }] }).then(
        () => undefined,
        (error: unknown) => error,
      );

      expect(errorChain(failure)).toMatch(/authentication failed|invalid credentials/i);
    } finally {
      await producer.close();
    }
  });
});

/** An error's message with its causes' (the client wraps the broker's answer). */
function errorChain(error: unknown): string {
  const messages: string[] = [];
  for (let current = error; current instanceof Error; current = current.cause) {
    messages.push(current.message);
    if (current instanceof AggregateError) messages.push(...current.errors.map(errorChain));
  }
  return messages.join(' <- ');
}
