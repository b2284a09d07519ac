import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import * as z from 'zod';
import { findContract } from '#contracts/registry.ts';
import { cardTokenKeySettings } from '#lib/card-token-key.ts';
import { readConfig } from '#lib/config.ts';
import { logger, metrics } from '#lib/observability.ts';
import { createS3Client, s3Settings } from '#lib/s3.ts';
import { kafkaEventSchema } from './kafka-event.ts';
import { validateBatch } from './validate-batch.ts';
import { writeBatchObjects } from './write-objects.ts';

const config = readConfig(
  s3Settings.extend({
    ...cardTokenKeySettings.shape,
    LAKE_BUCKET: z.string().min(3),
    TOPIC_PREFIX: z.string().default('ingest.'),
  }),
);

const s3 = createS3Client(config);

export const handler = middy()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async (rawEvent: unknown) => {
    const event = kafkaEventSchema.parse(rawEvent);
    const batch = validateBatch(event, { topicPrefix: config.TOPIC_PREFIX, cardTokenKey: config.CARD_TOKEN_KEY, findContract });
    await writeBatchObjects(s3, config.LAKE_BUCKET, batch.objects);
    metrics.addMetric('RecordsValid', 'Count', batch.valid);
    metrics.addMetric('RecordsQuarantined', 'Count', batch.invalid);
    const batchIds = [...new Set(batch.objects.flatMap((o) => o.lines.map((line) => line.batchId)))];
    logger.info('batch validated', { valid: batch.valid, invalid: batch.invalid, objects: batch.objects.map((o) => o.key), batchIds });
    return { valid: batch.valid, invalid: batch.invalid, objects: batch.objects.length };
  });
