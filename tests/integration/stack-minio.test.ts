import { randomUUID } from 'node:crypto';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStackS3Client } from '../../local-stack/services/components/minio.ts';
import { stackSettings } from '../../local-stack/services/settings.ts';
import { requireRunning } from '../../local-stack/services/stack.ts';

const bucket = stackSettings.lakeBucket;
// A prefix of its own, away from the lake's tables, removed afterwards.
const prefix = `_stack-test/${randomUUID()}/`;
let s3: S3Client;

beforeAll(async () => {
  await requireRunning(stackSettings, ['minio']);
  s3 = createStackS3Client(stackSettings);
});

afterAll(async () => {
  if (!s3) return; // the stack was not up
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  const keys = (listed.Contents ?? []).map((object) => ({ Key: object.Key! }));
  if (keys.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
  s3.destroy();
});

describe('MinIO in the local stack', () => {
  it('stores an object in the lake bucket and returns it unchanged', async () => {
    const key = `${prefix}landing/batch.ndjson`;
    const body = '{"id":1,"amount":"12.50"}\n{"id":2,"amount":"7.00"}\n';

    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' }));
    const read = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));

    expect(await read.Body?.transformToString()).toBe(body);
    expect(read.ContentType).toBe('application/x-ndjson');
  });

  it('lists objects under a prefix, in key order', async () => {
    const keys = ['b.json', 'a.json', 'c/d.json'].map((name) => `${prefix}list/${name}`);
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '{}' }));

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}list/` }));

    expect(listed.Contents?.map((object) => object.Key)).toEqual([...keys].sort());
  });

  it('refuses a client with the wrong secret', async () => {
    const stranger = createStackS3Client({ ...stackSettings, credentials: { ...stackSettings.credentials, secretAccessKey: 'not-the-secret' } });
    try {
      await expect(stranger.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).rejects.toMatchObject({
        name: 'SignatureDoesNotMatch',
      });
    } finally {
      stranger.destroy();
    }
  });
});
