import { createServer, type Server } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import middy from '@middy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecordProducer, type RecordProducer } from '#lib/kafka.ts';
import { httpErrors } from '#lib/http-errors.ts';
import type { OutgoingMessage } from '#lib/record-messages.ts';
import { ingestRequest } from '../../functions/ingest/ingest-request.ts';
import { loadEvent } from '../fixtures/events.ts';
import { testDependencies } from '../fixtures/test-dependencies.ts';

// Brokers that cannot take a write, on ports of this test (never the shared stack's):
// one where nothing listens (a stopped broker) and one that takes connections and never
// answers (a paused or wedged broker).
const settings = { topicPrefix: 'kafka-down-test.', cardTokenKey: 'integration-card-token-key-0123456789', maxBodyBytes: 6 * 1024 * 1024, maxRecordsPerRequest: 100, maxMessageBytes: 1_048_576 };
const records = [{ transactionId: 'TX-1' }, { transactionId: 'TX-2' }];
let silent: Server;
let closedPort: number;
const producers: RecordProducer[] = [];

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** The ingest request through the same error middleware as the handler, against `brokers`. */
async function ingestAgainst(brokers: string[]) {
  const producer = createRecordProducer({ clientId: 'kafka-down-test', brokers });
  producers.push(producer);
  const published: OutgoingMessage[] = [];
  const deps = {
    ...testDependencies(settings),
    publish: async (messages: OutgoingMessage[]) => {
      await producer.send({ messages });
      published.push(...messages);
    },
    now: () => new Date(),
  };
  const handler = middy<APIGatewayProxyEventV2>().use(httpErrors({ logger: deps.logger, metrics: deps.metrics })).handler((event) => ingestRequest(event, deps));
  const event = loadEvent<APIGatewayProxyEventV2>('ingest-valid');
  const started = Date.now();
  const response = (await handler({ ...event, body: JSON.stringify(records) }, {} as never)) as APIGatewayProxyStructuredResultV2;
  return { response, body: JSON.parse(response.body!), elapsedMs: Date.now() - started, published };
}

beforeAll(async () => {
  silent = createServer(() => undefined);
  await listen(silent);
  const closed = createServer();
  closedPort = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
});

afterAll(async () => {
  await Promise.all(producers.map((producer) => producer.close().catch(() => undefined)));
  silent.close();
});

describe('ingest with Kafka down: back-pressure, not a hang', () => {
  it('answers 503 PUBLISH_FAILED within 2 s when no broker listens, with nothing accepted', async () => {
    const { response, body, elapsedMs, published } = await ingestAgainst([`127.0.0.1:${closedPort}`]);
    expect(response.statusCode).toBe(503);
    expect(body.error.code).toBe('PUBLISH_FAILED');
    expect(body).not.toHaveProperty('eventIds');
    expect(published).toEqual([]);
    expect(elapsedMs).toBeLessThan(2_000);
  });

  it('answers 503 within 5 s when the broker takes the connection but never answers', async () => {
    const { response, body, elapsedMs, published } = await ingestAgainst([`127.0.0.1:${(silent.address() as { port: number }).port}`]);
    expect(response.statusCode).toBe(503);
    expect(body.error.code).toBe('PUBLISH_FAILED');
    expect(published).toEqual([]);
    expect(elapsedMs).toBeLessThan(5_000);
  });
});
