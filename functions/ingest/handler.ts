import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { cardTokenKeyReader, cardTokenKeySettings } from '#lib/card-token-key.ts';
import { readConfig } from '#lib/config.ts';
import { sharedDependencies } from '#lib/dependencies.ts';
import { httpErrors } from '#lib/http-errors.ts';
import { logger, metrics } from '#lib/observability.ts';
import { createStreamPublisher, streamSettings } from '#lib/stream-publisher.ts';
import { type IngestDependencies, ingestRequest } from './ingest-request.ts';

const config = readConfig(
  z
    .object({
      ...cardTokenKeySettings.shape,
      MAX_BODY_BYTES: z.coerce.number().int().positive().default(6 * 1024 * 1024),
      MAX_RECORDS_PER_REQUEST: z.coerce.number().int().positive().default(10_000),
    })
    .and(streamSettings),
);

// Kafka or Kinesis, as the deployment's STREAM_ENGINE says.
const publisher = await createStreamPublisher(config, 'ingest');

const readCardTokenKey = cardTokenKeyReader(config);

// Built per invocation with the key read then, so a rotated key is picked up.
const dependencies = (cardTokenKey: string): IngestDependencies => ({
  ...sharedDependencies({
    topicPrefix: publisher.destinationPrefix,
    cardTokenKey,
    maxBodyBytes: config.MAX_BODY_BYTES,
    maxRecordsPerRequest: config.MAX_RECORDS_PER_REQUEST,
    maxMessageBytes: publisher.maxMessageBytes,
  }),
  publish: publisher.publish,
  now: () => new Date(),
});

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .use(httpErrors({ logger, metrics }))
  .handler(async (event) => {
    // Every log line of the request carries API Gateway's request id (and, once known, the batch id).
    logger.setCorrelationId(event.requestContext.requestId);
    return ingestRequest(event, dependencies(await readCardTokenKey()));
  });
