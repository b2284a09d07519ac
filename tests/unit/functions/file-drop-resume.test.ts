import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { fileReportKey } from '#contracts/lake.ts';
import { findContract } from '#contracts/registry.ts';
import type { OutgoingMessage } from '#lib/record-messages.ts';
import { createS3Client } from '#lib/s3.ts';
import { ingestDroppedFiles } from '../../../functions/file-drop/ingest-dropped-files.ts';
import { type DroppedFile, type FileReport, fileBatchId, processFile } from '../../../functions/file-drop/process-file.ts';
import { loadEvent } from '../../fixtures/events.ts';
import { testDependencies } from '../../fixtures/test-dependencies.ts';

const options = { topicPrefix: 'ingest.', tokenKey: 'unit-test-card-token-key-0123456789', chunkSize: 2, maxMessageBytes: 1_048_576 };
const key = 'files/policies/daily.ndjson';
const file: DroppedFile = { bucket: 'lake', key, eTag: 'etag-1', source: 'policies', format: 'ndjson' };
const contract = findContract('policies')!;
const eventId = (message: OutgoingMessage) => message.headers['event-id'];

// Seven lines: six records and, on line 4, one without its business key.
const lines = [1, 2, 3, 0, 5, 6, 7].map((n) => JSON.stringify(n === 0 ? { product: 'motor' } : { policyId: `POL-${n}`, product: 'motor' }));
const text = `${lines.join('\n')}\n`;

/** A publisher that takes `limit` chunks and then fails, like a broker that went away or an instance that died. */
function publisher(limit = Number.POSITIVE_INFINITY) {
  const published: OutgoingMessage[] = [];
  let chunks = 0;
  return {
    published,
    publish: async (messages: OutgoingMessage[]) => {
      if (++chunks > limit) throw new Error('broker connection lost');
      published.push(...messages);
    },
  };
}

async function attempt(publish: (messages: OutgoingMessage[]) => Promise<void>, checkpoints: FileReport[]) {
  const last = checkpoints.at(-1);
  return processFile(file, Readable.from([text]), contract, { publish, now: () => new Date('2026-03-01T12:00:00Z') }, options, {
    resumeAfterLine: last?.lastPublishedLine ?? 0,
    save: async (report) => void checkpoints.push(report),
  });
}

describe('file drop survives a crash mid-file', () => {
  it('checkpoints the last published line after each chunk', async () => {
    const checkpoints: FileReport[] = [];
    const { publish } = publisher();
    await attempt(publish, checkpoints);
    expect(checkpoints.map((checkpoint) => [checkpoint.status, checkpoint.lastPublishedLine])).toEqual([['in-progress', 2], ['in-progress', 5], ['in-progress', 7]]);
  });

  it('resumes after the last checkpoint: every record published, none twice', async () => {
    const checkpoints: FileReport[] = [];
    const first = publisher(1);
    await expect(attempt(first.publish, checkpoints)).rejects.toMatchObject({ name: 'PublishError' });
    expect(checkpoints.at(-1)!.lastPublishedLine).toBe(2);

    const retry = publisher();
    const { report } = await attempt(retry.publish, checkpoints);

    const all = [...first.published, ...retry.published];
    expect(all.map((message) => message.key)).toEqual(['POL-1', 'POL-2', 'POL-3', 'POL-5', 'POL-6', 'POL-7']);
    expect(new Set(all.map(eventId)).size).toBe(6);
    expect(report).toMatchObject({ status: 'complete', lastPublishedLine: 7, lines: 7, published: 6, rejected: 1 });
    expect(report.rejectedLines).toEqual([{ line: 4, reasons: [expect.stringMatching(/business key "policyId"/)] }]);
  });

  it('publishes the same event ids as an uninterrupted run', async () => {
    const whole = publisher();
    await attempt(whole.publish, []);
    const checkpoints: FileReport[] = [];
    const first = publisher(2);
    await expect(attempt(first.publish, checkpoints)).rejects.toThrow();
    const retry = publisher();
    await attempt(retry.publish, checkpoints);
    expect([...first.published, ...retry.published].map(eventId)).toEqual(whole.published.map(eventId));
  });
});

describe('file drop reads its checkpoint from the lake', () => {
  const s3 = mockClient(S3Client);
  const body = () => Readable.from([text]) as never;
  const deps = (publish: (messages: OutgoingMessage[]) => Promise<void>) => ({
    ...testDependencies({ topicPrefix: 'ingest.', cardTokenKey: options.tokenKey, chunkSize: 2, maxMessageBytes: 1_048_576 }),
    s3: createS3Client(),
    publish,
    now: () => new Date('2026-03-01T12:00:00Z'),
  });
  const event = (): S3Event => {
    const fixture = loadEvent<S3Event>('file-drop-csv');
    fixture.Records[0]!.s3.object.key = key;
    fixture.Records[0]!.s3.object.eTag = 'etag-1';
    return fixture;
  };
  const reportBody = (report: Partial<FileReport>) => Readable.from([JSON.stringify({ batchId: '', ...report })]) as never;

  beforeEach(() => {
    s3.reset();
    s3.on(PutObjectCommand).resolves({});
  });

  it('resumes an in-progress file from the line its report names', async () => {
    s3.on(GetObjectCommand, { Key: key }).resolves({ Body: body() });
    s3.on(GetObjectCommand, { Key: fileReportKey(key) }).resolves({ Body: reportBody({ batchId: fileBatchId(file), status: 'in-progress', lastPublishedLine: 5 }) });
    const { published, publish } = publisher();
    const result = await ingestDroppedFiles(event(), deps(publish));
    expect(published.map((message) => message.key)).toEqual(['POL-6', 'POL-7']);
    expect(result.files[0]).toMatchObject({ status: 'complete', published: 6, rejected: 1 });
  });

  it('publishes nothing for a repeated event of a file already complete', async () => {
    s3.on(GetObjectCommand, { Key: key }).resolves({ Body: body() });
    s3.on(GetObjectCommand, { Key: fileReportKey(key) }).resolves({ Body: reportBody({ batchId: fileBatchId(file), status: 'complete', lastPublishedLine: 7 }) });
    const { published, publish } = publisher();
    await ingestDroppedFiles(event(), deps(publish));
    expect(published).toEqual([]);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('starts over when the report is of an earlier version of the file (another ETag)', async () => {
    s3.on(GetObjectCommand, { Key: key }).resolves({ Body: body() });
    s3.on(GetObjectCommand, { Key: fileReportKey(key) }).resolves({ Body: reportBody({ batchId: 'another-version', status: 'complete', lastPublishedLine: 7 }) });
    const { published, publish } = publisher();
    await ingestDroppedFiles(event(), deps(publish));
    expect(published).toHaveLength(6);
  });
});
