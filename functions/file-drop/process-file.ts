import type { Readable } from 'node:stream';
import type { SourceContract } from '#contracts/contract.ts';
import { maskCardNumbers } from '#contracts/card-data.ts';
import type { QuarantineLine } from '#contracts/lake-lines.ts';
import { recordLimits } from '#contracts/record-limits.ts';
import { PublishError } from '#lib/errors.ts';
import { deterministicUuid } from '#lib/ids.ts';
import { maxChunkBytes, publishInChunks } from '#lib/kafka.ts';
import { type OutgoingMessage, prepareRecord, preparedMessage } from '#lib/record-messages.ts';
import { type FileFormat, readRecords } from './read-records.ts';

export interface DroppedFile {
  bucket: string;
  key: string;
  eTag: string;
  source: string;
  format: FileFormat;
}

export interface FileReport {
  file: string;
  source: string;
  batchId: string;
  lines: number;
  published: number;
  rejected: number;
  startedAt: string;
  finishedAt: string;
}

/** A quarantine line of a dropped file: the file and line instead of Kafka coordinates. */
export type RejectedLine = QuarantineLine & { file: string; line: number };

export interface FileDependencies {
  /** One produce request; chunks are split further by bytes (publishInChunks). */
  publish: (messages: OutgoingMessage[]) => Promise<void>;
  now: () => Date;
}

/**
 * Streams a dropped file into the pipeline: records that pass ingest's checks (prepareRecord) are
 * published in chunks exactly as HTTP ingest would publish them; lines that cannot be
 * read are returned for quarantine with their line numbers. Ids derive from the file's
 * key, ETag and line, so processing the same file again publishes the same event ids.
 */
export async function processFile(
  file: DroppedFile,
  body: Readable,
  contract: SourceContract,
  deps: FileDependencies,
  options: { topicPrefix: string; tokenKey: string; chunkSize: number; maxMessageBytes: number },
): Promise<{ report: FileReport; rejected: RejectedLine[] }> {
  const startedAt = deps.now().toISOString();
  const batchId = deterministicUuid('file', file.bucket, file.key, file.eTag);
  // A file name is producer text too.
  const sourceObject = maskCardNumbers(`s3://${file.bucket}/${file.key}`);
  const limits = recordLimits(options.maxMessageBytes);
  const rejected: RejectedLine[] = [];
  let chunk: OutgoingMessage[] = [];
  let lines = 0;
  let published = 0;

  const flush = async () => {
    if (chunk.length === 0) return;
    const outcome = await publishInChunks(chunk, deps.publish, maxChunkBytes(options.maxMessageBytes));
    published += outcome.published;
    // The invocation fails and the file is read again: its event ids do not change.
    if (outcome.error) throw new PublishError(`publishing lines of ${sourceObject} failed after ${published} records`, { cause: outcome.error });
    chunk = [];
  };

  for await (const entry of readRecords(body, file.format)) {
    lines = Math.max(lines, entry.line);
    const eventId = deterministicUuid(batchId, String(entry.line));
    const receivedAt = deps.now().toISOString();
    const prepared = 'error' in entry
      ? { ok: false as const, reasons: [entry.error], payload: maskCardNumbers(entry.text) }
      : prepareRecord(contract, entry.record, { tokenKey: options.tokenKey, limits });
    if (!prepared.ok) {
      rejected.push({
        eventId, batchId, receivedAt, traceparent: null, source: contract.source, topic: null, partition: null, offset: null, kafkaTimestamp: null,
        file: sourceObject, line: entry.line, reasons: prepared.reasons.map((message) => ({ path: '', message })), payload: prepared.payload,
      });
      continue;
    }
    chunk.push(preparedMessage(contract, prepared.record, { eventId, batchId, receivedAt, sourceObject }, options.topicPrefix));
    if (chunk.length >= options.chunkSize) await flush();
  }
  await flush();
  const report = { file: sourceObject, source: contract.source, batchId, lines, published, rejected: rejected.length, startedAt, finishedAt: deps.now().toISOString() };
  return { report, rejected };
}
