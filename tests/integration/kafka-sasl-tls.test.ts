import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Consumer, stringDeserializers } from '@platformatic/kafka';
import { defineStack, type PrivateStack, readFirstMessage, startPrivateStack } from '@ledgerflow/local-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '#lib/config.ts';
import { createRecordProducer } from '#lib/kafka.ts';
import { kafkaSettings } from '#lib/kafka-settings.ts';
import { kafkaConnectionOptions } from '#lib/kafka-security.ts';

/**
 * A private stack of this test, with the SASL_SSL (SCRAM-SHA-512) listener, on free ports in
 * a temporary state folder that links to the installed Kafka and MinIO: the shared stack is
 * never touched. The producer is the functions' own, configured as a function is, from variables.
 */

const installedDir = join(import.meta.dirname, '../../.stack');
const topic = 'secure.transactions';
const user = 'ledgerflow-producer';
const password = `scram-${randomUUID()}`;

let stack: PrivateStack;

/** The producer's variables, as a function gets them with KAFKA_SECURITY=sasl-scram-sha-512. */
const producerEnvironment = (scramPassword: string) => ({
  KAFKA_BROKERS: stack.settings.kafkaSaslTls!.brokers.join(','),
  KAFKA_SECURITY: 'sasl-scram-sha-512',
  LOCAL_KAFKA_SCRAM_USERNAME: user,
  LOCAL_KAFKA_SCRAM_PASSWORD: scramPassword,
  KAFKA_CA_FILE: stack.settings.kafkaSaslTls!.caFile,
});

function producerWith(scramPassword: string) {
  const settings = readConfig(kafkaSettings, producerEnvironment(scramPassword));
  return createRecordProducer({ clientId: 'kafka-sasl-tls-test', brokers: settings.KAFKA_BROKERS, connection: kafkaConnectionOptions(settings) });
}

beforeAll(async () => {
  stack = await startPrivateStack(
    ({ stateDir, ports }) => {
      const [kafka, minio, saslTls] = ports as [number, number, number];
      return defineStack({
        name: 'kafka-sasl-tls-test',
        stateDir,
        region: 'us-east-1',
        credentials: { accessKeyId: 'sasl-tls-test', secretAccessKey: 'sasl-tls-test-secret' },
        kafka: { port: kafka, partitions: 1, topics: [topic], saslTls: { port: saslTls, user, password } },
        s3: { port: minio, bucket: 'sasl-tls-test' },
      });
    },
    { installedDir, components: ['kafka', 'minio'], ports: 3, name: 'kafka-sasl-tls' },
  );
}, 240_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

describe('Kafka with SASL/SCRAM over TLS', () => {
  it('takes a record from the functions producer and delivers it to a consumer on the same listener', async () => {
    const key = randomUUID();
    const producer = producerWith(password);
    const connection = kafkaConnectionOptions(readConfig(kafkaSettings, producerEnvironment(password)));
    const consumer = new Consumer({ clientId: 'kafka-sasl-tls-test', groupId: `sasl-tls-${key}`, bootstrapBrokers: stack.settings.kafkaSaslTls!.brokers, deserializers: stringDeserializers, ...connection });
    try {
      await producer.send({ messages: [{ topic, key, value: '{"amount":"12.50"}', headers: { 'event-id': key } }] });

      const received = await readFirstMessage(consumer, topic);

      expect(received).toEqual({ key, value: '{"amount":"12.50"}', headers: { 'event-id': key } });
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
