import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fileReportKey } from '#contracts/lake.ts';
import { loadEvent } from '../../fixtures/events.ts';
import { lambdaContext } from '../../fixtures/lambda-context.ts';

const send = vi.fn();
vi.mock('#lib/kafka.ts', async (importOriginal) => ({ ...(await importOriginal<object>()), createRecordProducer: () => ({ send }) }));
const s3 = mockClient(S3Client);
const { handler } = await import('../../../functions/file-drop/handler.ts');

const csv = 'policyId,product\nPOL-1,motor\nPOL-2,home\n';

describe('file-drop handler', () => {
  beforeEach(() => {
    s3.reset();
    send.mockReset();
  });

  it('reads the dropped file from the bucket, publishes its records and writes its report', async () => {
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([csv]) as never });
    s3.on(GetObjectCommand, { Key: fileReportKey('files/policies/daily.csv') }).rejects(Object.assign(new Error('no report yet'), { name: 'NoSuchKey' }));
    s3.on(PutObjectCommand).resolves({});
    send.mockResolvedValue({ offsets: [] });
    const event = loadEvent('file-drop-csv');
    event.Records[0].s3.object.key = 'files/policies/daily.csv';

    const result = (await handler(event, lambdaContext('FileDropFunction'))) as { files: { published: number }[] };

    expect(result.files).toEqual([expect.objectContaining({ source: 'policies', published: 2, rejected: 0 })]);
    expect(send.mock.calls[0]![0].messages.map((message: { topic: string; key: string }) => [message.topic, message.key])).toEqual([
      ['ingest.policies', 'POL-1'],
      ['ingest.policies', 'POL-2'],
    ]);
    // The checkpoint after the chunk, then the final report.
    expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key)).toEqual([fileReportKey('files/policies/daily.csv'), fileReportKey('files/policies/daily.csv')]);
  });
});
