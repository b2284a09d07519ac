import { DeleteObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { withAdmin } from '../../tools/pipeline/kafka-admin.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecordProducer } from '../../layers/lib/kafka.ts';
import { stackSettings } from '../../local-stack/stack.config.ts';
import { lakeClient } from '../../tools/pipeline/settle.ts';
import { runLakeScan } from '../fixtures/commands.ts';

// A prefix and topics of this run only, deleted afterwards, so no clear card number stays behind.
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const dirtyPrefix = `tests/lake-scan-${run}/dirty/`;
const cleanPrefix = `tests/lake-scan-${run}/clean/`;
const dirtyTopic = `lake-scan-test-${run}.dirty`;
const cleanTopic = `lake-scan-test-${run}.clean`;
const s3 = lakeClient();
const bucket = stackSettings.lakeBucket;
const objects = {
  [`${dirtyPrefix}landing.ndjson`]: `${JSON.stringify({ eventId: 'e-1', record: { note: 'ok' } })}\n${JSON.stringify({ eventId: 'e-2', record: { note: 'pan 4111 1111 1111 1111' } })}\n`,
  [`${cleanPrefix}landing.ndjson`]: `${JSON.stringify({ eventId: 'e-3', record: { cardMasked: '411111******1111', receivedAt: '2026-03-01T12:00:00Z' } })}\n`,
};


beforeAll(async () => {
  for (const [key, body] of Object.entries(objects)) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  await withAdmin(stackSettings.kafkaBrokers, (admin) => admin.createTopics({ topics: [dirtyTopic, cleanTopic], partitions: 2, replicas: 1 }));
  // Idempotent, as ingest's: a send retried on a slow broker must not write the messages twice.
  const producer = createRecordProducer({ clientId: 'lake-scan-test', brokers: stackSettings.kafkaBrokers });
  try {
    await producer.send({
      messages: [
        { topic: dirtyTopic, key: 'k-1', value: '{"note":"clean"}' },
        { topic: dirtyTopic, key: 'k-2', value: 'not json 5555-5555-5555-4444', headers: { 'event-id': 'e-9' } },
        { topic: cleanTopic, key: 'k-3', value: '{"cardMasked":"555555******4444"}' },
      ],
    });
  } finally {
    await producer.close();
  }
});

afterAll(async () => {
  await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: Object.keys(objects).map((Key) => ({ Key })) } }));
  await withAdmin(stackSettings.kafkaBrokers, (admin) => admin.deleteTopics({ topics: [dirtyTopic, cleanTopic] }));
});

describe('npm run lake:scan', () => {
  it('finds a clear card number in a lake object, prints it masked with its object and line, and exits 1', async () => {
    const result = await runLakeScan(['--prefix', dirtyPrefix, '--no-topics']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`s3://${bucket}/${dirtyPrefix}landing.ndjson line 2 field record.note: Visa 411111******1111`);
    expect(result.stdout).not.toContain('4111 1111 1111 1111');
    expect(result.stdout).toMatch(/^1 clear card numbers in 1 objects/m);
  });

  it('finds a clear card number in a topic by partition and offset and exits 1', async () => {
    const result = await runLakeScan(['--no-lake', '--topic', dirtyTopic]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`topic ${dirtyTopic.replace('.', '\\.')} partition \\d offset \\d value: Mastercard 555555\\*{6}4444`));
    expect(result.stdout).toMatch(/^1 clear card numbers in 2 messages/m);
  });

  it('exits 0 on a clean prefix and a clean topic', async () => {
    const result = await runLakeScan(['--prefix', cleanPrefix, '--topic', cleanTopic]);
    expect(result.stdout).toContain('0 clear card numbers in 1 objects');
    expect(result.code).toBe(0);
  });

  it('exits 2 on a topic that does not exist: the scan is incomplete', async () => {
    const result = await runLakeScan(['--no-lake', '--topic', `lake-scan-test-${run}.missing`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('does not exist');
  });

  it('exits 2 on an unknown option', async () => {
    expect((await runLakeScan(['--bucket-of-cards'])).code).toBe(2);
  });
});
