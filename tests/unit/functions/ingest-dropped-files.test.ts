import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { fileQuarantineObjectKey, fileReportKey } from '#contracts/lake.ts';
import type { OutgoingMessage } from '#lib/record-messages.ts';
import { createS3Client } from '#lib/s3.ts';
import { ingestDroppedFiles } from '../../../functions/file-drop/ingest-dropped-files.ts';
import { loadEvent } from '../../fixtures/events.ts';
import { testDependencies } from '../../fixtures/test-dependencies.ts';

const s3 = mockClient(S3Client);

const claimsCsv = [
  'claimId,policyId,lossType,status,lossDate,reportedAt,claimedAmount,currency,updatedAt',
  'CLM-1,POL-1,water,reported,2026-02-01,2026-02-02T09:00:00Z,1200.00,GBP,2026-02-02T09:00:00Z',
  ',POL-3,theft,reported,2026-02-05,2026-02-05T10:00:00Z,80.00,EUR,2026-02-05T10:00:00Z',
  'CLM-5,POL-5,other,reported,2026-02-06,2026-02-06T10:00:00Z,10.00,EUR,2026-02-06T10:00:00Z',
].join('\n');

function harness() {
  const published: OutgoingMessage[] = [];
  const deps = {
    ...testDependencies({ topicPrefix: 'ingest.', cardTokenKey: 'unit-test-card-token-key-0123456789', chunkSize: 500, maxMessageBytes: 1_048_576 }),
    s3: createS3Client(),
    publish: async (messages: OutgoingMessage[]) => void published.push(...messages),
    now: () => new Date('2026-03-01T12:00:00Z'),
  };
  return { deps, published };
}

function eventWithKey(key: string): S3Event {
  const event = loadEvent<S3Event>('file-drop-csv');
  event.Records[0]!.s3.object.key = key;
  return event;
}

const putInputs = () => s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);

const noSuchKey = () => Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });

describe('ingest dropped files', () => {
  beforeEach(() => {
    s3.reset();
  });

  it('publishes the records of a dropped file, then writes its unreadable lines to quarantine and its report', async () => {
    const key = 'files/claims/broker-export 2026-03-01.csv';
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([claimsCsv]) as never, ETag: '"etag-1"' });
    s3.on(GetObjectCommand, { Key: fileReportKey(key) }).rejects(noSuchKey());
    s3.on(PutObjectCommand).resolves({});
    const { deps, published } = harness();

    const result = await ingestDroppedFiles(loadEvent('file-drop-csv'), deps);

    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'lake', Key: key });
    expect(published.map((message) => message.key)).toEqual(['CLM-1', 'CLM-5']);
    expect(putInputs().map((input) => [input.Key, input.ContentType, input.Metadata])).toEqual([
      // The checkpoint after the one chunk, then the quarantine object and the final report.
      [fileReportKey(key), 'application/json', { 'source-file': encodeURIComponent(`s3://lake/${key}`) }],
      [fileQuarantineObjectKey('claims', key), 'application/x-ndjson', { 'source-file': encodeURIComponent(`s3://lake/${key}`), 'record-count': '1' }],
      [fileReportKey(key), 'application/json', { 'source-file': encodeURIComponent(`s3://lake/${key}`) }],
    ]);
    expect(result.files).toEqual([expect.objectContaining({ file: `s3://lake/${key}`, source: 'claims', lines: 4, published: 2, rejected: 1 })]);
    expect(JSON.parse(String(putInputs()[2]!.Body))).toEqual(result.files[0]);
    expect(deps.metrics.addMetric.mock.calls).toEqual([
      ['FileRecordsPublished', 'Count', 2],
      ['FileLinesRejected', 'Count', 1],
    ]);
  });

  it('ignores a file of a source without a contract, reads nothing and says why in its report', async () => {
    s3.on(PutObjectCommand).resolves({});
    const { deps, published } = harness();

    const result = await ingestDroppedFiles(eventWithKey('files/payments/export.csv'), deps);

    expect(result.files).toEqual([{ file: 's3://lake/files/payments/export.csv', ignored: 'no data contract for source "payments"' }]);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(published).toEqual([]);
    expect(putInputs().map((input) => [input.Key, JSON.parse(String(input.Body))])).toEqual([
      [fileReportKey('files/payments/export.csv'), { file: 's3://lake/files/payments/export.csv', ignored: 'no data contract for source "payments"' }],
    ]);
  });

  it('keeps a file name with a card number masked in the report, the metadata and the log', async () => {
    s3.on(PutObjectCommand).resolves({});
    const { deps } = harness();
    await ingestDroppedFiles(eventWithKey('files/payments/card+4111+1111+1111+1111.csv'), deps);
    const written = JSON.stringify({ puts: putInputs(), logs: deps.logger.warn.mock.calls });
    expect(written).not.toMatch(/4111.1111.1111.1111|4111%201111/);
    expect(JSON.parse(String(putInputs()[0]!.Body)).file).toBe('s3://lake/files/payments/card 411111******1111.csv');
  });

  it('keeps metadata ASCII and within S3 limits for a long non-ASCII name', async () => {
    s3.on(PutObjectCommand).resolves({});
    await ingestDroppedFiles(eventWithKey(`files/payments/${encodeURIComponent('水害'.repeat(400))}.csv`), harness().deps);
    const value = putInputs()[0]!.Metadata!['source-file']!;
    expect(value).toMatch(/^[\x21-\x7e]{1,1536}$/);
    expect(() => decodeURIComponent(value)).not.toThrow();
  });

  it('ignores a file in a format it does not read', async () => {
    s3.on(PutObjectCommand).resolves({});
    const result = await ingestDroppedFiles(eventWithKey('files/claims/export.xlsx'), harness().deps);
    expect(result.files).toEqual([{ file: 's3://lake/files/claims/export.xlsx', ignored: 'file name must end in .csv, .ndjson or .jsonl' }]);
  });

  it('fails with StorageError when the report cannot be written, so the event is retried', async () => {
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([claimsCsv]) as never });
    s3.on(PutObjectCommand).rejects(new Error('SlowDown'));
    await expect(ingestDroppedFiles(loadEvent('file-drop-csv'), harness().deps)).rejects.toMatchObject({ name: 'StorageError' });
  });
});
