import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import * as z from 'zod';
import { cardTokenKeyReader, cardTokenKeySettings } from '#lib/card-token-key.ts';
import { readConfig } from '#lib/config.ts';
import { sharedDependencies } from '#lib/dependencies.ts';
import { kinesisSettings } from '#lib/kinesis.ts';
import { logger, metrics } from '#lib/observability.ts';
import { createS3Client, s3Settings } from '#lib/s3.ts';
import { topicSettings } from '#lib/topics.ts';
import { type ValidateDependencies, validateAndStore } from './validate-and-store.ts';

const config = readConfig(
  z.object({
    ...s3Settings.shape,
    ...cardTokenKeySettings.shape,
    ...topicSettings.shape,
    LAKE_BUCKET: z.string().min(3),
    KINESIS_STREAM_PREFIX: kinesisSettings.shape.KINESIS_STREAM_PREFIX,
  }),
);

const s3 = createS3Client({ endpoint: config.S3_ENDPOINT });
const readCardTokenKey = cardTokenKeyReader(config);

// Built per invocation with the key read then, so a rotated key is picked up.
const dependencies = (cardTokenKey: string): ValidateDependencies => ({
  ...sharedDependencies({ topicPrefix: config.TOPIC_PREFIX, kinesisStreamPrefix: config.KINESIS_STREAM_PREFIX, cardTokenKey, lakeBucket: config.LAKE_BUCKET }),
  s3,
});

export const handler = middy()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async (rawEvent: unknown) => validateAndStore(rawEvent, dependencies(await readCardTokenKey())));
