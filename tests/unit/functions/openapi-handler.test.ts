import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/openapi/handler.ts';
import { serverUrl } from '../../../functions/openapi/openapi-response.ts';
import { loadEvent } from '../../fixtures/events.ts';

const deployedEvent = () => loadEvent<APIGatewayProxyEventV2>('openapi-get');

describe('openapi function (GET /openapi.json)', () => {
  it('answers the document generated from the contracts, with the deployed stage as its server', async () => {
    const response = await handler(deployedEvent());

    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json' });
    const document = JSON.parse(response.body!);
    expect(document.servers).toEqual([{ url: 'https://abcdef1234.execute-api.us-east-1.amazonaws.com/dev' }]);
    expect(document.paths['/v1/sources/{source}/records'].post.parameters[0].schema.enum).toEqual(expect.arrayContaining(['claims', 'policies', 'transactions']));
  });

  it('declares the bearer token for the ingest operation and none for the document itself', async () => {
    const document = JSON.parse((await handler(deployedEvent())).body!);

    expect(document.components.securitySchemes.bearerAuth).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }));
    expect(document.security).toEqual([{ bearerAuth: [] }]);
    expect(document.paths['/openapi.json'].get.security).toEqual([]);
    expect(document.paths['/v1/sources/{source}/records'].post.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }));
  });

  it('serves a $default stage from the root and a local API over plain HTTP', () => {
    const local = deployedEvent();
    local.rawPath = '/openapi.json';
    local.requestContext.domainName = '127.0.0.1:3000';
    delete local.headers['x-forwarded-proto'];

    expect(serverUrl(local)).toBe('http://127.0.0.1:3000');
  });
});
