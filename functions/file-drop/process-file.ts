import type { Readable } from 'node:stream';
import type { SourceContract } from '#contracts/contract.ts';
import { maskCardNumbersInText } from '#contracts/rules/card.ts';
import { protectRecord } from '#contracts/protect.ts';
import { deterministicUuid } from '#lib/ids.ts';
import { envelopeProblem, type OutgoingMessage, recordMessage } from '#lib/record-messages.ts';
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

/** A quarantine line in the same shape validation writes, with the file and line instead of Kafka coordinates. */
export interface RejectedLine {
  eventId: string;
  batchId: string;
  receivedAt: string;
  traceparent: null;
  source: string;
  topic: null;
  partition: null;
  offset: null;
  kafkaTimestamp: null;
  file: string;
  line: number;
  reasons: { path: string; message: string }[];
  payload: unknown;
}

export interface FileDependencies {
  publish: (messages: OutgoingMessage[]) => Promise<void>;
  now: () => Date;
}

/**
 * Streams a dropped file into the pipeline: records that pass the envelope check are
 * published in chunks exactly as HTTP ingest would publish them; lines that cannot be
 * read are returned for quarantine with their line numbers. Ids derive from the file's
 * key, ETag and line, so processing the same file again publishes the same event ids.
 */
export async function processFile(
  file: DroppedFile,
  body: Readable,
  contract: SourceContract,
  deps: FileDependencies,
  options: { topicPrefix: string; tokenKey: string; chunkSize: number },
): Promise<{ report: FileReport; rejected: RejectedLine[] }> {
  const startedAt = deps.now().toISOString();
  const batchId = deterministicUuid('file', file.bucket, file.key, file.eTag);
  const sourceObject = `s3://${file.bucket}/${file.key}`;
  const rejected: RejectedLine[] = [];
  let chunk: OutgoingMessage[] = [];
  let lines = 0;
  let published = 0;

  const flush = async () => {
    if (chunk.length === 0) return;
    await deps.publish(chunk);
    published += chunk.length;
    chunk = [];
  };

  for await (const entry of readRecords(body, file.format)) {
    lines = Math.max(lines, entry.line);
    const eventId = deterministicUuid(batchId, String(entry.line));
    const receivedAt = deps.now().toISOString();
    const problem = 'error' in entry ? entry.error : envelopeProblem(contract, entry.record);
    if (problem) {
      const payload = 'error' in entry ? maskCardNumbersInText(entry.text) : protectRecord(contract, entry.record, options.tokenKey);
      rejected.push({
        eventId, batchId, receivedAt, traceparent: null, source: contract.source, topic: null, partition: null, offset: null, kafkaTimestamp: null,
        file: sourceObject, line: entry.line, reasons: [{ path: '', message: problem }], payload,
      });
      continue;
    }
    chunk.push(recordMessage(contract, (entry as { record: Record<string, unknown> }).record, { eventId, batchId, receivedAt, sourceObject }, options));
    if (chunk.length >= options.chunkSize) await flush();
  }
  await flush();
  const report = { file: sourceObject, source: contract.source, batchId, lines, published, rejected: rejected.length, startedAt, finishedAt: deps.now().toISOString() };
  return { report, rejected };
}
