import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { S3Event } from 'aws-lambda';
import * as z from 'zod';
import { cardTokenKeyReader, cardTokenKeySettings } from '#lib/card-token-key.ts';
import { readConfig } from '#lib/config.ts';
import { sharedDependencies } from '#lib/dependencies.ts';
import { logger, metrics } from '#lib/observability.ts';
import { createS3Client, s3Settings } from '#lib/s3.ts';
import { createStreamPublisher, streamSettings } from '#lib/stream-publisher.ts';
import { type FileDropDependencies, ingestDroppedFiles } from './ingest-dropped-files.ts';

const config = readConfig(
  z
    .object({
      ...s3Settings.shape,
      ...cardTokenKeySettings.shape,
      PUBLISH_CHUNK_SIZE: z.coerce.number().int().positive().default(500),
    })
    .and(streamSettings),
);

// Kafka or Kinesis, as the deployment's STREAM_ENGINE says.
const publisher = await createStreamPublisher(config, 'file-drop');

const s3 = createS3Client({ endpoint: config.S3_ENDPOINT });
const readCardTokenKey = cardTokenKeyReader(config);

// Built per invocation with the key read then, so a rotated key is picked up.
const dependencies = (cardTokenKey: string): FileDropDependencies => ({
  ...sharedDependencies({
    topicPrefix: publisher.destinationPrefix,
    cardTokenKey,
    chunkSize: config.PUBLISH_CHUNK_SIZE,
    maxMessageBytes: publisher.maxMessageBytes,
  }),
  s3,
  publish: publisher.publish,
  now: () => new Date(),
});

export const handler = middy<S3Event>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async (event) => ingestDroppedFiles(event, dependencies(await readCardTokenKey())));
