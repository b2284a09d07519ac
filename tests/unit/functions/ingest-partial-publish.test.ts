import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '#contracts/openapi.ts';
import { ingestRequest } from '../../../functions/ingest/ingest-request.ts';
import type { OutgoingMessage } from '#lib/record-messages.ts';
import { loadEvent } from '../../fixtures/events.ts';
import { testDependencies } from '../../fixtures/test-dependencies.ts';

// A small message limit, so that five records of 30 KB need three produce requests: [0, 1], [2, 3], [4].
const settings = { topicPrefix: 'ingest.', cardTokenKey: 'unit-test-card-token-key-0123456789', maxBodyBytes: 1024 * 1024, maxRecordsPerRequest: 100, maxMessageBytes: 80 * 1024 };
const records = Array.from({ length: 5 }, (_, index) => ({ transactionId: `TX-${index}`, merchantName: 'm'.repeat(30_000) }));

/** A producer that takes the first `failFrom` requests and refuses the rest (or none, with Infinity). */
function kafka(failFrom = Number.POSITIVE_INFINITY) {
  const requests: OutgoingMessage[][] = [];
  const durable: OutgoingMessage[] = [];
  const publish = async (messages: OutgoingMessage[]) => {
    requests.push(messages);
    if (requests.length > failFrom) throw new Error('MESSAGE_TOO_LARGE');
    durable.push(...messages);
  };
  return { publish, requests, durable };
}

async function send(producer: ReturnType<typeof kafka>, idempotencyKey?: string) {
  const event = loadEvent<APIGatewayProxyEventV2>('ingest-valid');
  const headers = { ...event.headers, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) };
  const deps = { ...testDependencies(settings), publish: producer.publish, now: () => new Date('2026-03-01T12:00:06Z') };
  const response = (await ingestRequest({ ...event, headers, body: JSON.stringify(records) }, deps)) as APIGatewayProxyStructuredResultV2;
  return { response, body: JSON.parse(response.body!), deps };
}

const eventIdsOf = (messages: OutgoingMessage[]) => messages.map((message) => message.headers['event-id']);

describe('ingest when Kafka takes only part of a batch', () => {
  it('sends a batch in produce requests no larger than the broker accepts, in order', async () => {
    const producer = kafka();
    const { response } = await send(producer);
    expect(response.statusCode).toBe(202);
    expect(producer.requests.map((request) => request.map((message) => message.key))).toEqual([['TX-0', 'TX-1'], ['TX-2', 'TX-3'], ['TX-4']]);
  });

  it('answers 503 PARTIALLY_PUBLISHED naming the durable records and the others by index and event id', async () => {
    const producer = kafka(1);
    const { response, body } = await send(producer);
    expect(response.statusCode).toBe(503);
    expect(body.error).toMatchObject({ code: 'PARTIALLY_PUBLISHED', message: expect.stringMatching(/^2 of 5 records are durable/) });
    const { accepted, failed, batchId } = body.error.details;
    expect(accepted).toEqual(producer.durable.map((message, index) => ({ index, eventId: message.headers['event-id'] })));
    expect(failed.map((record: { index: number }) => record.index)).toEqual([2, 3, 4]);
    expect(producer.durable.every((message) => message.headers['batch-id'] === batchId)).toBe(true);
  });

  it('answers in the shape the OpenAPI document declares for it', async () => {
    const { body } = await send(kafka(1));
    const declared = (buildOpenApiDocument() as any).components.schemas.PartiallyPublished.properties.error;
    expect(Object.keys(body.error).sort()).toEqual([...declared.required].sort());
    expect(Object.keys(body.error.details).sort()).toEqual([...declared.properties.details.required].sort());
    expect(body.error.code).toBe(declared.properties.code.const);
  });

  it('stops at the refused request: nothing after it is published', async () => {
    const producer = kafka(1);
    await send(producer);
    expect(producer.requests).toHaveLength(2);
    expect(eventIdsOf(producer.durable)).toHaveLength(2);
  });

  it('counts and logs only what is durable, by ids', async () => {
    const { deps, body } = await send(kafka(2));
    expect(deps.metrics.addMetric).toHaveBeenCalledWith('RecordsPublished', 'Count', 4);
    expect(deps.logger.error).toHaveBeenCalledWith('batch partly published', expect.objectContaining({ batchId: body.error.details.batchId, published: 4, records: 5 }));
    expect(JSON.stringify(deps.logger.error.mock.calls)).not.toContain('mmmm');
  });

  it('a retry with the same Idempotency-Key carries the same batch and event ids, so the records already durable are known downstream', async () => {
    const first = await send(kafka(1), 'export-2026-03-01');
    const retryProducer = kafka();
    const retry = await send(retryProducer, 'export-2026-03-01');
    expect(retry.response.statusCode).toBe(202);
    expect(retry.body.batchId).toBe(first.body.error.details.batchId);
    const { accepted, failed } = first.body.error.details;
    expect(retry.body.eventIds).toEqual([...accepted, ...failed].map((record: { eventId: string }) => record.eventId));
    expect(eventIdsOf(retryProducer.durable)).toEqual(retry.body.eventIds);
  });

  it('fails with PublishError (503 PUBLISH_FAILED: nothing accepted) when the first request already fails', async () => {
    await expect(send(kafka(0))).rejects.toMatchObject({ name: 'PublishError' });
  });
});
