import { describe, expect, it } from 'vitest';
import { buildHttpApiEvent, httpApiResponse } from '../../api/http-api-event.ts';
import type { HttpRequestData } from '../../api/http-request.ts';
import { buildRestApiEvent, restApiResponse } from '../../api/rest-api-event.ts';
import { RouteMatcher } from '../../api/route-matcher.ts';
import type { ApiDefinition, RouteDefinition } from '../../template/model.ts';

const api: ApiDefinition = { logicalId: 'IngestApi', kind: 'HttpApi', stageName: 'dev', authorizers: new Map() };
const restApi: ApiDefinition = { logicalId: 'ServerlessRestApi', kind: 'Api', stageName: 'Prod', authorizers: new Map() };
const route = (path: string, method = 'GET', extra: Partial<RouteDefinition> = {}): RouteDefinition => ({
  functionLogicalId: 'Fn', eventName: 'E', apiLogicalId: 'IngestApi', kind: 'HttpApi', method, path, payloadFormatVersion: '2.0', authorizationScopes: [], timeoutMs: 30_000, ...extra,
});
const apis = new Map([[api.logicalId, api], [restApi.logicalId, restApi]]);

function request(overrides: Partial<HttpRequestData> = {}): HttpRequestData {
  return { method: 'POST', rawPath: '/v1/sources/transactions/records', rawQueryString: '', rawHeaders: [], body: Buffer.alloc(0), sourceIp: '127.0.0.1', protocol: 'HTTP/1.1', ...overrides };
}

describe('route matching', () => {
  const matcher = new RouteMatcher([route('/v1/sources/{source}/records', 'POST'), route('/files/{proxy+}', 'ANY'), route('/files/readme', 'GET'), route('$default', 'ANY')], apis);

  it('binds {param} and {proxy+} path parameters, decoded', () => {
    expect(matcher.match('POST', '/v1/sources/transactions/records')).toMatchObject({ pathParameters: { source: 'transactions' } });
    expect(matcher.match('PUT', '/files/a/b%20c')).toMatchObject({ route: { path: '/files/{proxy+}' }, pathParameters: { proxy: 'a/b c' } });
  });

  it('prefers the most specific route and an exact method over ANY', () => {
    expect(matcher.match('GET', '/files/readme')!.route.path).toBe('/files/readme');
    expect(matcher.match('POST', '/files/readme')!.route.path).toBe('/files/{proxy+}');
  });

  it('accepts the stage prefix of the deployed URL and falls back to $default', () => {
    expect(matcher.match('POST', '/dev/v1/sources/claims/records')).toMatchObject({ pathParameters: { source: 'claims' } });
    expect(matcher.match('GET', '/nothing/here')!.route.path).toBe('$default');
  });
});

describe('HTTP API payload format 2.0 event', () => {
  const match = { route: route('/v1/sources/{source}/records', 'POST'), api, pathParameters: { source: 'transactions' } };

  it('has lower-cased headers, duplicates joined by commas, and cookies moved out', () => {
    const event = buildHttpApiEvent(request({ rawHeaders: ['Content-Type', 'application/json', 'X-Multi', 'a', 'x-multi', 'b', 'Cookie', 'a=1; b=2', 'User-Agent', 'ua/1'], body: Buffer.from('[]') }), match, { accountId: '123456789012', now: new Date('2026-03-01T12:00:00Z'), requestId: 'JKJaXmPLvHcESHA=' });
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /v1/sources/{source}/records',
      rawPath: '/v1/sources/transactions/records',
      rawQueryString: '',
      cookies: ['a=1', 'b=2'],
      headers: { 'content-type': 'application/json', 'x-multi': 'a,b', 'user-agent': 'ua/1' },
      pathParameters: { source: 'transactions' },
      body: '[]',
      isBase64Encoded: false,
      requestContext: {
        accountId: '123456789012', requestId: 'JKJaXmPLvHcESHA=', routeKey: 'POST /v1/sources/{source}/records', stage: 'dev',
        http: { method: 'POST', path: '/v1/sources/transactions/records', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'ua/1' },
        time: '01/Mar/2026:12:00:00 +0000', timeEpoch: Date.parse('2026-03-01T12:00:00Z'),
      },
    });
    expect(event.headers).not.toHaveProperty('cookie');
    expect(event).not.toHaveProperty('queryStringParameters');
  });

  it('keeps rawQueryString and joins repeated parameters in queryStringParameters', () => {
    const event = buildHttpApiEvent(request({ rawQueryString: 'a=1&a=2&b=x%20y' }), match, { accountId: '1' });
    expect(event.rawQueryString).toBe('a=1&a=2&b=x%20y');
    expect(event.queryStringParameters).toEqual({ a: '1,2', b: 'x y' });
  });

  it('base64-encodes a binary body and passes text bodies as they are', () => {
    const binary = buildHttpApiEvent(request({ rawHeaders: ['content-type', 'application/octet-stream'], body: Buffer.from([0, 1, 255]) }), match, { accountId: '1' });
    expect(binary).toMatchObject({ body: 'AAH/', isBase64Encoded: true });
    const ndjson = buildHttpApiEvent(request({ rawHeaders: ['content-type', 'application/x-ndjson'], body: Buffer.from('{}\n') }), match, { accountId: '1' });
    expect(ndjson).toMatchObject({ body: '{}\n', isBase64Encoded: false });
  });

  it('carries the authorizer claims and scopes', () => {
    const event = buildHttpApiEvent(request(), match, { accountId: '1', jwt: { claims: { sub: 'p', exp: '1' }, scopes: null } });
    expect(event.requestContext).toMatchObject({ authorizer: { jwt: { claims: { sub: 'p', exp: '1' }, scopes: null } } });
  });
});

describe('HTTP API payload format 2.0 response', () => {
  it('turns a result without statusCode into a 200 JSON body', () => {
    const response = httpApiResponse({ accepted: 2 });
    expect(response.statusCode).toBe(200);
    expect(response.headers).toContainEqual(['content-type', 'application/json']);
    expect(response.body.toString()).toBe('{"accepted":2}');
    expect(httpApiResponse('plain').body.toString()).toBe('plain');
  });

  it('honours statusCode, headers, cookies and base64 bodies', () => {
    const response = httpApiResponse({ statusCode: 202, headers: { 'X-Batch': 'b1' }, cookies: ['s=1; HttpOnly'], body: 'aGk=', isBase64Encoded: true });
    expect(response.statusCode).toBe(202);
    expect(response.headers).toEqual([['x-batch', 'b1'], ['set-cookie', 's=1; HttpOnly']]);
    expect(response.body.toString()).toBe('hi');
  });

  it('answers 500 for a malformed statusCode', () => {
    expect(httpApiResponse({ statusCode: 'abc' }).statusCode).toBe(500);
  });
});

describe('REST API payload format 1.0', () => {
  const match = { route: route('/rest/{name}', 'GET', { apiLogicalId: 'ServerlessRestApi', kind: 'Api', payloadFormatVersion: '1.0' }), api: restApi, pathParameters: { name: 'bob' } };

  it('has single and multi-value headers and query parameters', () => {
    const event = buildRestApiEvent(request({ method: 'GET', rawPath: '/rest/bob', rawQueryString: 'x=1&x=2', rawHeaders: ['Accept', 'a', 'Accept', 'b'] }), match, { accountId: '1', requestId: 'id' });
    expect(event).toMatchObject({
      resource: '/rest/{name}', path: '/rest/bob', httpMethod: 'GET', headers: { Accept: 'b' }, multiValueHeaders: { Accept: ['a', 'b'] },
      queryStringParameters: { x: '2' }, multiValueQueryStringParameters: { x: ['1', '2'] }, pathParameters: { name: 'bob' }, body: null, isBase64Encoded: false,
      requestContext: { path: '/Prod/rest/bob', stage: 'Prod', resourcePath: '/rest/{name}', requestId: 'id', httpMethod: 'GET' },
    });
  });

  it('answers 502 when the result is not a proxy response', () => {
    expect(restApiResponse({ ok: true }).statusCode).toBe(502);
    expect(restApiResponse({ statusCode: 201, body: 'made', multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] } })).toMatchObject({ statusCode: 201, headers: [['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2']] });
  });
});
