import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Event, S3EventRecord } from 'aws-lambda';
import type { Readable } from 'node:stream';
import type { FunctionDependencies } from '#lib/dependencies.ts';
import { StorageError } from '#lib/errors.ts';
import { decodeObjectKey, fileQuarantineObjectKey, fileReportKey, lakePrefixes, sourceOfObjectKey, toNdjson } from '#contracts/lake.ts';
import { type FileDependencies, type FileReport, processFile } from './process-file.ts';
import { fileFormat } from './read-records.ts';

export interface FileDropSettings {
  topicPrefix: string;
  cardTokenKey: string;
  /** Records per publish while a file is read. */
  chunkSize: number;
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
  if (!contract || !format) {
    const reason = !contract ? `no data contract for source "${source}"` : 'file name must end in .csv, .ndjson or .jsonl';
    logger.warn('dropped file ignored', { key, reason });
    await put(s3, bucket, fileReportKey(key), JSON.stringify({ file: `s3://${bucket}/${key}`, ignored: reason }), 'application/json');
    return { file: key, ignored: reason };
  }
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const { report, rejected } = await processFile(
    { bucket, key, eTag: record.s3.object.eTag ?? object.ETag ?? '', source, format },
    object.Body as Readable,
    contract,
    deps,
    { topicPrefix: settings.topicPrefix, tokenKey: settings.cardTokenKey, chunkSize: settings.chunkSize },
  );
  if (rejected.length > 0) await put(s3, bucket, fileQuarantineObjectKey(source, key), toNdjson(rejected), 'application/x-ndjson');
  await put(s3, bucket, fileReportKey(key), JSON.stringify(report), 'application/json');
  metrics.addMetric('FileRecordsPublished', 'Count', report.published);
  metrics.addMetric('FileLinesRejected', 'Count', report.rejected);
  logger.info('dropped file ingested', { ...report });
  return report;
}

async function put(s3: S3Client, bucket: string, key: string, body: string, contentType: string): Promise<void> {
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  } catch (error) {
    throw new StorageError(`could not write ${key}`, { cause: error });
  }
}
