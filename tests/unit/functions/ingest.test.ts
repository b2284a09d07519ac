import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { RequestError } from '#lib/errors.ts';
import { batchIdFor, ingestRequest, traceparentFor } from '../../../functions/ingest/ingest-request.ts';
import type { OutgoingMessage } from '#lib/record-messages.ts';
import { loadEvent } from '../../fixtures/events.ts';
import { testDependencies } from '../../fixtures/test-dependencies.ts';

const settings = { topicPrefix: 'ingest.', cardTokenKey: 'unit-test-card-token-key-0123456789', maxBodyBytes: 64 * 1024, maxRecordsPerRequest: 100, maxMessageBytes: 1_048_576 };

function harness(publish: (messages: OutgoingMessage[]) => Promise<void> = async () => undefined) {
  const published: OutgoingMessage[] = [];
  const deps = {
    ...testDependencies(settings),
    publish: async (messages: OutgoingMessage[]) => {
      await publish(messages);
      published.push(...messages);
    },
    now: () => new Date('2026-03-01T12:00:06.120Z'),
  };
  const call = async (event: APIGatewayProxyEventV2) => (await ingestRequest(event, deps)) as APIGatewayProxyStructuredResultV2;
  return { call, published, deps };
}

async function rejection(promise: Promise<unknown>): Promise<RequestError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(RequestError);
  return error as RequestError;
}

const withBody = (body: string, contentType = 'application/json'): APIGatewayProxyEventV2 => {
  const event = loadEvent<APIGatewayProxyEventV2>('ingest-valid');
  return { ...event, body, headers: { ...event.headers, 'content-type': contentType } };
};

describe('ingest', () => {
  it('publishes every record keyed by business key and answers 202 with the batch id and counts', async () => {
    const { call, published } = harness();
    const response = await call(loadEvent('ingest-valid'));
    expect(response.statusCode).toBe(202);
    const body = JSON.parse(response.body!);
    expect(body).toMatchObject({ source: 'transactions', topic: 'ingest.transactions', accepted: 2 });
    expect(body.eventIds).toHaveLength(2);
    expect(published.map((m) => [m.topic, m.key])).toEqual([['ingest.transactions', 'TX-1001'], ['ingest.transactions', 'TX-1002']]);
    expect(published[0]!.headers).toMatchObject({
      'event-id': body.eventIds[0],
      'batch-id': body.batchId,
      'received-at': '2026-03-01T12:00:06.120Z',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      'contract-version': '1',
    });
  });

  it('counts the published records and logs the batch by its ids, never its records', async () => {
    const { call, deps } = harness();
    const body = JSON.parse((await call(loadEvent('ingest-valid'))).body!);
    expect(deps.metrics.addMetric).toHaveBeenCalledWith('RecordsPublished', 'Count', 2);
    expect(deps.logger.info).toHaveBeenCalledWith('batch published', {
      batchId: body.batchId,
      topic: 'ingest.transactions',
      records: 2,
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
  });

  it('never publishes a clear card number', async () => {
    const { call, published } = harness();
    await call(loadEvent('ingest-valid'));
    expect(published[0]!.value).not.toContain('4111111111111111');
    expect(JSON.parse(published[0]!.value).cardNumber).toMatchObject({ masked: '411111******1111', luhnValid: true });
  });

  it('accepts NDJSON and the {records:[...]} form', async () => {
    const { call } = harness();
    expect((await call(loadEvent('ingest-ndjson'))).statusCode).toBe(202);
    const wrapped = await call(withBody(JSON.stringify({ records: [{ transactionId: 'T-1' }] })));
    expect(JSON.parse(wrapped.body!).accepted).toBe(1);
  });

  it('rejects a body that is not JSON with INVALID_JSON and publishes nothing', async () => {
    const { call, published } = harness();
    const error = await rejection(call(loadEvent('ingest-malformed')));
    expect([error.statusCode, error.code]).toEqual([400, 'INVALID_JSON']);
    expect(published).toEqual([]);
  });

  it('names the NDJSON line that does not parse', async () => {
    const error = await rejection(harness().call(withBody('{"policyId":"P-1"}\n{oops}\n', 'application/x-ndjson')));
    expect([error.code, error.details]).toEqual(['INVALID_NDJSON', { line: 2 }]);
  });

  it('rejects an unknown source with 404 UNKNOWN_SOURCE', async () => {
    const error = await rejection(harness().call(loadEvent('ingest-unknown-source')));
    expect([error.statusCode, error.code]).toEqual([404, 'UNKNOWN_SOURCE']);
  });

  it('rejects the whole batch when a record lacks its business key, naming the record', async () => {
    const { call, published } = harness();
    const error = await rejection(call(loadEvent('ingest-missing-key')));
    expect([error.statusCode, error.code]).toEqual([422, 'INVALID_RECORDS']);
    expect(error.details).toEqual({ records: [{ index: 0, reason: 'record must carry its business key "claimId" as a non-empty string' }] });
    expect(published).toEqual([]);
  });

  it('rejects records that are not objects', async () => {
    const error = await rejection(harness().call(withBody('[{"transactionId":"T-1"}, 42]')));
    expect(error.details).toEqual({ records: [{ index: 1, reason: 'record must be a JSON object' }] });
  });

  it('rejects a body over the size limit with 413 BODY_TOO_LARGE', async () => {
    const error = await rejection(harness().call(withBody(JSON.stringify([{ transactionId: 'x'.repeat(70 * 1024) }]))));
    expect([error.statusCode, error.code]).toEqual([413, 'BODY_TOO_LARGE']);
  });

  it('rejects more records than allowed per request', async () => {
    const records = Array.from({ length: 101 }, (_, i) => ({ transactionId: `T-${i}` }));
    const error = await rejection(harness().call(withBody(JSON.stringify(records))));
    expect([error.statusCode, error.code]).toEqual([413, 'TOO_MANY_RECORDS']);
  });

  it('rejects an empty batch and an empty body', async () => {
    expect((await rejection(harness().call(withBody('[]')))).code).toBe('NO_RECORDS');
    expect((await rejection(harness().call(withBody('')))).code).toBe('EMPTY_BODY');
  });

  it('rejects a content type it does not read with 415', async () => {
    const error = await rejection(harness().call(withBody('a,b', 'text/csv')));
    expect([error.statusCode, error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  });

  it('reads a base64-encoded body', async () => {
    const event = { ...withBody(''), body: Buffer.from('[{"transactionId":"T-9"}]').toString('base64'), isBase64Encoded: true };
    expect(JSON.parse((await harness().call(event)).body!).accepted).toBe(1);
  });

  it('fails with PublishError when Kafka does not take the batch, so no 202 is given', async () => {
    const { call } = harness(async () => {
      throw new Error('broker down');
    });
    await expect(call(loadEvent('ingest-valid'))).rejects.toMatchObject({ name: 'PublishError' });
  });

  it('derives the same batch and event ids from the same Idempotency-Key', async () => {
    const event = loadEvent<APIGatewayProxyEventV2>('ingest-valid');
    const keyed = { ...event, headers: { ...event.headers, 'idempotency-key': 'export-2026-03-01' } };
    const first = JSON.parse((await harness().call(keyed)).body!);
    const second = JSON.parse((await harness().call(keyed)).body!);
    expect(second.batchId).toBe(first.batchId);
    expect(second.eventIds).toEqual(first.eventIds);
    expect(batchIdFor('transactions', undefined)).not.toBe(batchIdFor('transactions', undefined));
  });

  it('keeps a valid traceparent and starts a trace otherwise', () => {
    expect(traceparentFor('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(traceparentFor('garbage')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});
