import { randomUUID } from 'node:crypto';
import { Admin, Consumer, MessagesStreamModes, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackSettings } from '../../local-stack/services/settings.ts';
import { requireRunning } from '../../local-stack/services/stack.ts';

// A topic of its own, so that no bridge or consumer of the source topics sees the probe.
const topic = `stack-test.${randomUUID()}`;
const brokers = stackSettings.kafkaBrokers;
let admin: Admin;

beforeAll(async () => {
  await requireRunning(stackSettings, ['kafka']);
  admin = new Admin({ clientId: 'stack-kafka-test', bootstrapBrokers: brokers });
  await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
});

afterAll(async () => {
  await admin?.deleteTopics({ topics: [topic] });
  await admin?.close();
});

describe('Kafka in the local stack', () => {
  it('has one topic per data contract, with the configured partitions', async () => {
    const metadata = await admin.metadata({ topics: stackSettings.sourceTopics });

    for (const sourceTopic of stackSettings.sourceTopics) {
      expect(metadata.topics.get(sourceTopic)?.partitionsCount, sourceTopic).toBe(stackSettings.kafkaPartitions);
    }
  });

  it('delivers a produced message, key, value and headers, to a consumer', async () => {
    const key = randomUUID();
    const producer = new Producer({ clientId: 'stack-kafka-test', bootstrapBrokers: brokers, serializers: stringSerializers });
    const consumer = new Consumer({
      clientId: 'stack-kafka-test',
      groupId: `stack-test-${randomUUID()}`,
      bootstrapBrokers: brokers,
      deserializers: stringDeserializers,
    });
    try {
      await producer.send({ messages: [{ topic, key, value: '{"probe":true}', headers: { 'event-id': key } }] });

      const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false });
      let received: { key: string; value: string; eventId: string | undefined } | undefined;
      for await (const message of stream) {
        received = { key: message.key, value: message.value, eventId: message.headers.get('event-id') };
        break;
      }
      await stream.close();

      expect(received).toEqual({ key, value: '{"probe":true}', eventId: key });
    } finally {
      await producer.close();
      await consumer.close(true);
    }
  });
});
