import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { cardTokenKeyReader, cardTokenKeySettings } from '#lib/card-token-key.ts';
import { readConfig } from '#lib/config.ts';
import { sharedDependencies } from '#lib/dependencies.ts';
import { httpErrors } from '#lib/http-errors.ts';
import { createRecordProducer, kafkaSettings } from '#lib/kafka.ts';
import { logger, metrics } from '#lib/observability.ts';
import { topicSettings } from '#lib/topics.ts';
import { type IngestDependencies, ingestRequest } from './ingest-request.ts';

const config = readConfig(
  z.object({
    ...cardTokenKeySettings.shape,
    ...kafkaSettings.shape,
    ...topicSettings.shape,
    MAX_BODY_BYTES: z.coerce.number().int().positive().default(6 * 1024 * 1024),
    MAX_RECORDS_PER_REQUEST: z.coerce.number().int().positive().default(10_000),
  }),
);

const producer = createRecordProducer({ clientId: 'ingest', brokers: config.KAFKA_BROKERS });

const readCardTokenKey = cardTokenKeyReader(config);

// Built per invocation with the key read then, so a rotated key is picked up.
const dependencies = (cardTokenKey: string): IngestDependencies => ({
  ...sharedDependencies({
    topicPrefix: config.TOPIC_PREFIX,
    cardTokenKey,
    maxBodyBytes: config.MAX_BODY_BYTES,
    maxRecordsPerRequest: config.MAX_RECORDS_PER_REQUEST,
    maxMessageBytes: config.KAFKA_MAX_MESSAGE_BYTES,
  }),
  publish: async (messages) => void (await producer.send({ messages })),
  now: () => new Date(),
});

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(httpErrors({ logger }))
  .handler(async (event) => ingestRequest(event, dependencies(await readCardTokenKey())));
