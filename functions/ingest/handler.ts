import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { findContract } from '#contracts/registry.ts';
import { cardTokenKeySettings } from '#lib/card-token-key.ts';
import { commaList, readConfig } from '#lib/config.ts';
import { httpErrors } from '#lib/http-errors.ts';
import { createRecordProducer } from '#lib/kafka.ts';
import { logger, metrics } from '#lib/observability.ts';
import { ingestRequest } from './ingest-request.ts';

const config = readConfig(
  cardTokenKeySettings.extend({
    KAFKA_BROKERS: commaList,
    TOPIC_PREFIX: z.string().default('ingest.'),
    MAX_BODY_BYTES: z.coerce.number().int().positive().default(6 * 1024 * 1024),
    MAX_RECORDS_PER_REQUEST: z.coerce.number().int().positive().default(10_000),
  }),
);

const producer = createRecordProducer({ clientId: 'ingest', brokers: config.KAFKA_BROKERS });

const settings = {
  topicPrefix: config.TOPIC_PREFIX,
  cardTokenKey: config.CARD_TOKEN_KEY,
  maxBodyBytes: config.MAX_BODY_BYTES,
  maxRecordsPerRequest: config.MAX_RECORDS_PER_REQUEST,
};

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(httpErrors({ logger }))
  .handler((event) =>
    ingestRequest(event, settings, {
      findContract,
      publish: async (messages) => {
        await producer.send({ messages });
        metrics.addMetric('RecordsPublished', 'Count', messages.length);
        // Ids only: the records themselves carry personal data.
        const first = messages[0]!.headers;
        logger.info('batch published', { batchId: first['batch-id'], topic: messages[0]!.topic, records: messages.length, traceparent: first.traceparent });
      },
      now: () => new Date(),
    }),
  );
