import { findAuthorizer, issueLocalToken, type LocalRuntime, startLocalRuntime } from '@ledgerflow/lambda-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localRuntimeOptions, waitFor, watchEventIds } from '../fixtures/local-runtime.ts';

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

  it('serves GET /openapi.json from the template\'s OpenApiFunction, without a token, over the runtime\'s built-in document', async () => {
    const response = await fetch(`${runtime.apiUrl}/openapi.json`);

    expect(response.status).toBe(200);
    // Only a template route's answer carries API Gateway's request id.
    expect(response.headers.get('apigw-requestid')).toBeTruthy();
    const document: any = await response.json();
    expect(document.servers).toEqual([{ url: runtime.apiUrl }]);
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ scheme: 'bearer' });
  });

  it('accepts a batch with a local token (202) and the records land in Kafka', async () => {
    const kafka = await watchEventIds('ingest.transactions');
    try {
      const response = await post(issueLocalToken(findAuthorizer(runtime.registry.model)));
      expect(response.status).toBe(202);
      const body: any = await response.json();
      expect(body).toMatchObject({ source: 'transactions', topic: 'ingest.transactions', accepted: 1 });
      await waitFor('the record in Kafka', () => (body.eventIds.every((id: string) => kafka.seen.has(id)) ? true : undefined));
    } finally {
      await kafka.close();
    }
  });
});
