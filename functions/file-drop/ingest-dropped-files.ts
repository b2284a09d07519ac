import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Event, S3EventRecord } from 'aws-lambda';
import type { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { FunctionDependencies } from '#lib/dependencies.ts';
import { StorageError } from '#lib/errors.ts';
import { maskCardNumbers } from '#contracts/card-data.ts';
import { decodeObjectKey, fileQuarantineObjectKey, fileReportKey, lakePrefixes, sourceOfObjectKey, toNdjson } from '#contracts/lake.ts';
import { type FileDependencies, type FileReport, fileBatchId, processFile } from './process-file.ts';
import { fileFormat } from './read-records.ts';

export interface FileDropSettings {
  topicPrefix: string;
  cardTokenKey: string;
  /** Records per publish while a file is read. */
  chunkSize: number;
  /** The brokers' message size limit (record-limits.ts). */
  maxMessageBytes: number;
}

export type FileDropDependencies = FunctionDependencies<FileDropSettings> & FileDependencies & { s3: S3Client };

/** A file the platform does not read, with why; its report says the same. */
export interface IgnoredFile {
  file: string;
  ignored: string;
}

/** Each dropped file under files/<source>/ enters the pipeline as HTTP ingest would. */
export async function ingestDroppedFiles(event: S3Event, deps: FileDropDependencies): Promise<{ files: (FileReport | IgnoredFile)[] }> {
  const files = [];
  for (const record of event.Records) files.push(await ingestDroppedFile(record, deps));
  return { files };
}

async function ingestDroppedFile(record: S3EventRecord, deps: FileDropDependencies): Promise<FileReport | IgnoredFile> {
  const { s3, settings, logger, metrics } = deps;
  const bucket = record.s3.bucket.name;
  const key = decodeObjectKey(record.s3.object.key);
  const source = sourceOfObjectKey(key, lakePrefixes.fileDrop) ?? '';
  const contract = deps.findContract(source);
  const format = fileFormat(key);
  // The key is producer text: masked wherever it is written, and in keys only as fileObjectName.
  const file = maskCardNumbers(`s3://${bucket}/${key}`);
  const metadata = { 'source-file': metadataValue(file) };
  if (!contract || !format) {
    const reason = !contract ? `no data contract for source "${maskCardNumbers(source)}"` : 'file name must end in .csv, .ndjson or .jsonl';
    logger.warn('dropped file ignored', { file, reason });
    await put(s3, { bucket, key: fileReportKey(key), body: JSON.stringify({ file, ignored: reason }), contentType: 'application/json', metadata });
    return { file, ignored: reason };
  }
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const dropped = { bucket, key, eTag: record.s3.object.eTag ?? object.ETag ?? '', source, format };
  const reportKey = fileReportKey(key);
  const earlier = await readReport(s3, bucket, reportKey);
  const sameFile = earlier?.batchId === fileBatchId(dropped);
  if (sameFile && earlier.status === 'complete') {
    // A repeated S3 event for a file already read: nothing to publish again.
    (object.Body as Readable | undefined)?.destroy();
    logger.info('dropped file already ingested', { file, batchId: earlier.batchId });
    return earlier;
  }
  const resumeAfterLine = sameFile ? earlier.lastPublishedLine : 0;
  if (resumeAfterLine > 0) logger.info('resuming dropped file', { file, resumeAfterLine });
  const { report, rejected } = await processFile(
    dropped,
    object.Body as Readable,
    contract,
    deps,
    { topicPrefix: settings.topicPrefix, tokenKey: settings.cardTokenKey, chunkSize: settings.chunkSize, maxMessageBytes: settings.maxMessageBytes },
    { resumeAfterLine, save: (progress) => put(s3, { bucket, key: reportKey, body: JSON.stringify(progress), contentType: 'application/json', metadata }) },
  );
  if (rejected.length > 0) {
    // The record count, as on validation's quarantine objects.
    const quarantineMetadata = { ...metadata, 'record-count': String(rejected.length) };
    await put(s3, { bucket, key: fileQuarantineObjectKey(source, key), body: toNdjson(rejected), contentType: 'application/x-ndjson', metadata: quarantineMetadata });
  }
  await put(s3, { bucket, key: reportKey, body: JSON.stringify(report), contentType: 'application/json', metadata });
  metrics.addMetric('FileRecordsPublished', 'Count', report.published);
  metrics.addMetric('FileLinesRejected', 'Count', report.rejected);
  const { rejectedLines: _lines, ...counts } = report;
  logger.info('dropped file ingested', { ...counts });
  return report;
}

/** The file's report or progress checkpoint, if an earlier invocation wrote one. */
async function readReport(s3: S3Client, bucket: string, key: string): Promise<FileReport | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const report = JSON.parse(await text(object.Body as Readable)) as Partial<FileReport>;
    // A report written before checkpoints existed is a finished one.
    return { status: 'complete', lastPublishedLine: report.lines ?? 0, rejectedLines: [], ...report } as FileReport;
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw new StorageError(`could not read ${key}`, { cause: error });
  }
}

/** S3 user metadata is ASCII and at most 2 KB in all: the name percent-encoded, cut at a whole character. */
const maxMetadataValueLength = 1536;

export function metadataValue(text: string): string {
  let encoded = '';
  for (const char of text) {
    const piece = encodeURIComponent(char);
    if (encoded.length + piece.length > maxMetadataValueLength) break;
    encoded += piece;
  }
  return encoded;
}

interface LakeObject {
  bucket: string;
  key: string;
  body: string;
  contentType: string;
  metadata: Record<string, string>;
}

async function put(s3: S3Client, object: LakeObject): Promise<void> {
  try {
    await s3.send(new PutObjectCommand({ Bucket: object.bucket, Key: object.key, Body: object.body, ContentType: object.contentType, Metadata: object.metadata }));
  } catch (error) {
    throw new StorageError(`could not write ${object.key}`, { cause: error });
  }
}
