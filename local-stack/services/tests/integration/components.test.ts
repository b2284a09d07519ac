import { randomUUID } from 'node:crypto';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStackS3Client } from '../../components/minio.ts';
import { readFirstMessage } from '../../first-message.ts';
import { type PrivateStack, startPrivateStack } from '../../private-stack.ts';
import { requireRunning } from '../../stack.ts';
import { installedDir, testStackDefinition } from './test-stack.ts';

/** Kafka and MinIO as `up` leaves them, in a private stack started the way a project's tests start one. */

let stack: PrivateStack;
let admin: Admin;
let s3: S3Client;
// A topic of its own, so that the definition's topics stay as `up` created them.
const topic = `probe.${randomUUID()}`;

beforeAll(async () => {
  stack = await startPrivateStack(
    ({ stateDir, ports }) => {
      const [kafka, minio, service] = ports as [number, number, number];
      return testStackDefinition({ stateDir, ports: { kafka, minio, service } });
    },
    { installedDir, components: ['kafka', 'minio'], ports: 3, name: 'local-services-it' },
  );
  await requireRunning(stack.settings, ['kafka', 'minio']);
  admin = new Admin({ clientId: 'services-test', bootstrapBrokers: stack.settings.kafkaBrokers });
  await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
  s3 = createStackS3Client(stack.settings);
});

afterAll(async () => {
  await admin?.close();
  s3?.destroy();
  await stack?.stop();
});

describe('Kafka', () => {
  it("has the definition's topics, with its partitions", async () => {
    const metadata = await admin.metadata({ topics: stack.settings.topics });

    for (const name of ['test.orders', 'test.payments']) expect(metadata.topics.get(name)?.partitionsCount, name).toBe(2);
  });

  it('delivers a produced message, key, value and headers, to a consumer', async () => {
    const key = randomUUID();
    const brokers = stack.settings.kafkaBrokers;
    const producer = new Producer({ clientId: 'services-test', bootstrapBrokers: brokers, serializers: stringSerializers });
    const consumer = new Consumer({ clientId: 'services-test', groupId: `services-test-${key}`, bootstrapBrokers: brokers, deserializers: stringDeserializers });
    try {
      await producer.send({ messages: [{ topic, key, value: '{"probe":true}', headers: { 'event-id': key } }] });

      const received = await readFirstMessage(consumer, topic);

      expect(received).toEqual({ key, value: '{"probe":true}', headers: { 'event-id': key } });
    } finally {
      await producer.close();
      await consumer.close(true);
    }
  });
});

describe('MinIO', () => {
  const prefix = `probe/${randomUUID()}/`;

  afterAll(async () => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: stack.settings.bucket, Prefix: prefix }));
    const keys = (listed.Contents ?? []).map((object) => ({ Key: object.Key! }));
    if (keys.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket: stack.settings.bucket, Delete: { Objects: keys } }));
  });

  it("stores an object in the definition's bucket and returns it unchanged", async () => {
    const key = `${prefix}landing/batch.ndjson`;
    const body = '{"id":1,"amount":"12.50"}\n{"id":2,"amount":"7.00"}\n';

    await s3.send(new PutObjectCommand({ Bucket: stack.settings.bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' }));
    const read = await s3.send(new GetObjectCommand({ Bucket: stack.settings.bucket, Key: key }));

    expect(await read.Body?.transformToString()).toBe(body);
    expect(read.ContentType).toBe('application/x-ndjson');
  });

  it('lists objects under a prefix, in key order', async () => {
    const keys = ['b.json', 'a.json', 'c/d.json'].map((name) => `${prefix}list/${name}`);
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: stack.settings.bucket, Key: key, Body: '{}' }));

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: stack.settings.bucket, Prefix: `${prefix}list/` }));

    expect(listed.Contents?.map((object) => object.Key)).toEqual([...keys].sort());
  });

  it('refuses a client with the wrong secret', async () => {
    const stranger = createStackS3Client({ ...stack.settings, credentials: { ...stack.settings.credentials, secretAccessKey: 'not-the-secret' } });
    try {
      await expect(stranger.send(new ListObjectsV2Command({ Bucket: stack.settings.bucket, Prefix: prefix }))).rejects.toMatchObject({
        name: 'SignatureDoesNotMatch',
      });
    } finally {
      stranger.destroy();
    }
  });
});

describe('requireRunning', () => {
  it('names each component that does not answer and the command that starts it', async () => {
    const elsewhere = { ...stack.settings, minioPort: 1, s3Endpoint: 'http://127.0.0.1:1' };

    await expect(requireRunning(elsewhere, ['minio'], { startCommand: 'npm run stack:up' })).rejects.toThrow(/start it with `npm run stack:up`\n\s+minio: /);
  });
});
