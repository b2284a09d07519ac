import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import type { Readable } from 'node:stream';
import * as z from 'zod';
import { findContract } from '#contracts/registry.ts';
import { cardTokenKeySettings } from '#lib/card-token-key.ts';
import { commaList, readConfig } from '#lib/config.ts';
import { StorageError } from '#lib/errors.ts';
import { createRecordProducer } from '#lib/kafka.ts';
import { decodeObjectKey, fileQuarantineObjectKey, fileReportKey, lakePrefixes, sourceOfObjectKey, toNdjson } from '#lib/lake-layout.ts';
import { logger, metrics } from '#lib/observability.ts';
import { createS3Client, s3Settings } from '#lib/s3.ts';
import { processFile } from './process-file.ts';
import { fileFormat } from './read-records.ts';

const config = readConfig(
  s3Settings.extend({
    ...cardTokenKeySettings.shape,
    KAFKA_BROKERS: commaList,
    TOPIC_PREFIX: z.string().default('ingest.'),
    PUBLISH_CHUNK_SIZE: z.coerce.number().int().positive().default(500),
  }),
);

const s3 = createS3Client(config);
const producer = createRecordProducer({ clientId: 'file-drop', brokers: config.KAFKA_BROKERS });

async function put(bucket: string, key: string, body: string, contentType: string): Promise<void> {
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  } catch (error) {
    throw new StorageError(`could not write ${key}`, { cause: error });
  }
}

/** Each dropped file under files/<source>/ enters the pipeline as HTTP ingest would. */
export const handler = middy<S3Event>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async (event) => {
    const reports = [];
    for (const record of event.Records) {
      const bucket = record.s3.bucket.name;
      const key = decodeObjectKey(record.s3.object.key);
      const source = sourceOfObjectKey(key, lakePrefixes.fileDrop) ?? '';
      const contract = findContract(source);
      const format = fileFormat(key);
      if (!contract || !format) {
        const reason = !contract ? `no data contract for source "${source}"` : 'file name must end in .csv, .ndjson or .jsonl';
        logger.warn('dropped file ignored', { key, reason });
        await put(bucket, fileReportKey(key), JSON.stringify({ file: `s3://${bucket}/${key}`, ignored: reason }), 'application/json');
        reports.push({ file: key, ignored: reason });
        continue;
      }
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const { report, rejected } = await processFile(
        { bucket, key, eTag: record.s3.object.eTag ?? object.ETag ?? '', source, format },
        object.Body as Readable,
        contract,
        { publish: async (messages) => void (await producer.send({ messages })), now: () => new Date() },
        { topicPrefix: config.TOPIC_PREFIX, tokenKey: config.CARD_TOKEN_KEY, chunkSize: config.PUBLISH_CHUNK_SIZE },
      );
      if (rejected.length > 0) await put(bucket, fileQuarantineObjectKey(source, key), toNdjson(rejected), 'application/x-ndjson');
      await put(bucket, fileReportKey(key), JSON.stringify(report), 'application/json');
      metrics.addMetric('FileRecordsPublished', 'Count', report.published);
      metrics.addMetric('FileLinesRejected', 'Count', report.rejected);
      logger.info('dropped file ingested', { ...report });
      reports.push(report);
    }
    return { files: reports };
  });
