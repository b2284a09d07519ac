import { Consumer } from '@platformatic/kafka';
import { findAuthorizer, issueLocalToken, type LocalRuntime, startLocalRuntime } from '@ledgerflow/lambda-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaBrokers, localRuntimeOptions, waitFor } from '../fixtures/local-runtime.ts';

describe('local API with template.yaml', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startLocalRuntime({ ...localRuntimeOptions, apiPort: 0, invokePort: false, onNotice: () => undefined, onLog: () => undefined });
  });
  afterAll(() => runtime.stop());

  const post = (token?: string) => fetch(`${runtime.apiUrl}/v1/sources/transactions/records`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify([{ transactionId: `TX-RT-${Date.now()}`, accountId: 'ACC-1', type: 'debit', status: 'posted', amount: '12.50', currency: 'EUR', occurredAt: '2026-03-01T12:00:00Z', updatedAt: '2026-03-01T12:00:00Z' }]),
  });

  it('refuses a request without a bearer token', async () => {
    const response = await post();
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
  });

  it('accepts a batch with a local token (202) and the records land in Kafka', async () => {
    const consumer = new Consumer({ groupId: `runtime-api-test-${Date.now()}`, clientId: 'runtime-api-test', bootstrapBrokers: kafkaBrokers() });
    const stream = await consumer.consume({ topics: ['ingest.transactions'], mode: 'latest', autocommit: false });
    const seen = new Set<string>();
    stream.on('data', (message) => {
      const id = [...message.headers.entries()].find(([name]) => String(name) === 'event-id')?.[1];
      if (id) seen.add(String(id));
    });
    try {
      // The consumer has joined and fetches from the end of the topic once its first fetch is under way.
      await new Promise((resolve) => stream.once('fetch', () => resolve(undefined)));
      const response = await post(issueLocalToken(findAuthorizer(runtime.registry.model)));
      expect(response.status).toBe(202);
      const body: any = await response.json();
      expect(body).toMatchObject({ source: 'transactions', topic: 'ingest.transactions', accepted: 1 });
      await waitFor('the record in Kafka', () => (body.eventIds.every((id: string) => seen.has(id)) ? true : undefined));
    } finally {
      await stream.close();
      await consumer.close();
    }
  });
});
