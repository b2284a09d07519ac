import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../fixtures/lambda-context.ts';
import { loadEvent } from '../../fixtures/events.ts';

const s3 = mockClient(S3Client);
const { handler } = await import('../../../functions/validate/handler.ts');

describe('validate handler', () => {
  beforeEach(() => {
    s3.reset();
  });

  it('puts the landing and quarantine objects into the lake bucket', async () => {
    s3.on(PutObjectCommand).resolves({});
    const result = await handler(loadEvent('validate-msk'), lambdaContext('ValidateFunction'));
    expect(result).toEqual({ valid: 2, invalid: 2, objects: 2 });
    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts.map((input) => [input.Bucket, input.Key?.split('/')[0], input.ContentType])).toEqual([
      ['lake', 'landing', 'application/x-ndjson'],
      ['lake', 'quarantine', 'application/x-ndjson'],
    ]);
    expect(String(puts[0]!.Body).trim().split('\n')).toHaveLength(2);
  });

  it('fails the invocation when a write fails, so the batch is retried', async () => {
    s3.on(PutObjectCommand).resolvesOnce({}).rejectsOnce(new Error('SlowDown'));
    await expect(handler(loadEvent('validate-msk'), lambdaContext('ValidateFunction'))).rejects.toMatchObject({
      name: 'StorageError',
      message: expect.stringContaining('1 of 2 lake objects could not be written'),
    });
  });
});
