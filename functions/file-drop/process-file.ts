import type { Readable } from 'node:stream';
import type { SourceContract } from '#contracts/contract.ts';
import { maskCardNumbers } from '#contracts/card-data.ts';
import type { QuarantineLine } from '#contracts/lake-lines.ts';
import { recordLimits } from '#contracts/record-limits.ts';
import { PublishError } from '#lib/errors.ts';
import { deterministicUuid } from '#lib/ids.ts';
import { maxChunkBytes, publishInChunks } from '#lib/publish-chunks.ts';
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
  /** `in-progress` while the file is read (the checkpoint a retried invocation resumes from), then `complete`. */
  status: 'in-progress' | 'complete';
  /** Every record up to this line is durable in the stream. */
  lastPublishedLine: number;
  lines: number;
  published: number;
  rejected: number;
  /** The first rejected lines (maxReportedLines) with their reasons; all of them are in the file's quarantine object. */
  rejectedLines: { line: number; reasons: string[] }[];
  startedAt: string;
  finishedAt?: string;
}

/** The report names at most this many rejected lines; the quarantine object holds them all. */
export const maxReportedLines = 1000;

/** Every record of one version of a file shares this batch id; event ids derive from it and the line. */
export const fileBatchId = (file: Pick<DroppedFile, 'bucket' | 'key' | 'eTag'>) => deterministicUuid('file', file.bucket, file.key, file.eTag);

/** A quarantine line of a dropped file: the file and line instead of Kafka coordinates. */
export type RejectedLine = QuarantineLine & { file: string; line: number };

export interface FileDependencies {
  /** One produce request; chunks are split further by bytes (publishInChunks). */
  publish: (messages: OutgoingMessage[]) => Promise<void>;
  now: () => Date;
}

/** Where a retried invocation resumes: the checkpoint of an earlier attempt, and how to save the next ones. */
export interface FileProgress {
  /** Lines up to here were published by an earlier attempt and are not published again. */
  resumeAfterLine: number;
  /** Called after each chunk is durable, with the report so far. */
  save: (report: FileReport) => Promise<void>;
}

/**
 * Streams a dropped file into the pipeline: records that pass ingest's checks (prepareRecord) are
 * published in chunks exactly as HTTP ingest would publish them; lines that cannot be
 * read are returned for quarantine with their line numbers. Ids derive from the file's
 * key, ETag and line, so processing the same file again publishes the same event ids.
 * After each chunk the progress is saved; a retried invocation (a crash, a timeout, a
 * broker outage) skips the lines already published, and the chunk in flight when it
 * stopped is published again under the same event ids, which the lake keeps once.
 */
export async function processFile(
  file: DroppedFile,
  body: Readable,
  contract: SourceContract,
  deps: FileDependencies,
  options: { topicPrefix: string; tokenKey: string; chunkSize: number; maxMessageBytes: number },
  progress: FileProgress = { resumeAfterLine: 0, save: async () => undefined },
): Promise<{ report: FileReport; rejected: RejectedLine[] }> {
  const startedAt = deps.now().toISOString();
  const batchId = fileBatchId(file);
  // A file name is producer text too.
  const sourceObject = maskCardNumbers(`s3://${file.bucket}/${file.key}`);
  const limits = recordLimits(options.maxMessageBytes);
  const rejected: RejectedLine[] = [];
  let chunk: OutgoingMessage[] = [];
  let lines = 0;
  let published = 0;
  let lastPublishedLine = progress.resumeAfterLine;
  let chunkLastLine = 0;
  const report = (status: FileReport['status']): FileReport => ({
    file: sourceObject, source: contract.source, batchId, status, lastPublishedLine, lines, published, rejected: rejected.length,
    rejectedLines: rejected.slice(0, maxReportedLines).map((line) => ({ line: line.line, reasons: line.reasons.map((reason) => reason.message) })),
    startedAt, ...(status === 'complete' ? { finishedAt: deps.now().toISOString() } : {}),
  });

  const flush = async () => {
    if (chunk.length === 0) return;
    const outcome = await publishInChunks(chunk, deps.publish, maxChunkBytes(options.maxMessageBytes));
    published += outcome.published;
    // The invocation fails and is retried from the last checkpoint: event ids do not change.
    if (outcome.error) throw new PublishError(`publishing lines of ${sourceObject} failed after ${published} records`, { cause: outcome.error });
    chunk = [];
    lastPublishedLine = chunkLastLine;
    await progress.save(report('in-progress'));
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
    if (entry.line <= progress.resumeAfterLine) {
      // Published by an earlier attempt (the checkpoint says so).
      published++;
      continue;
    }
    chunk.push(preparedMessage(contract, prepared.record, { eventId, batchId, receivedAt, sourceObject }, options.topicPrefix));
    chunkLastLine = entry.line;
    if (chunk.length >= options.chunkSize) await flush();
  }
  await flush();
  lastPublishedLine = Math.max(lastPublishedLine, lines);
  return { report: report('complete'), rejected };
}
