import { request as httpRequest, type IncomingMessage } from 'node:http';
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPayloadLimitBytes } from '../../api/api-server.ts';
import { issueLocalToken } from '../../api/token-command.ts';
import { signHs256 } from '../../api/jwt.ts';
import { type LocalRuntime, startLocalRuntime } from '../../start-local-runtime.ts';
import { fixtureFile, fixtureTemplate, testStateDir } from '../support.ts';

const quiet = { onNotice: () => undefined, onLog: () => undefined };

describe('local API and invoke endpoint (test template)', () => {
  let runtime: LocalRuntime;
  let token: string;
  const authorizer = { name: 'Jwt', issuer: 'https://issuer.test', audience: ['runtime-tests'], identitySource: '$request.header.Authorization' };

  beforeAll(async () => {
    runtime = await startLocalRuntime({ templatePath: fixtureTemplate('api'), envVarsPath: fixtureFile('api', 'env.json'), stateDir: testStateDir, apiPort: 0, invokePort: 0, ...quiet });
    token = issueLocalToken(authorizer, { subject: 'tester', scope: 'read' });
  });
  afterAll(() => runtime.stop());

  const api = (path: string, init: RequestInit = {}) => fetch(`${runtime.apiUrl}${path}`, init);
  const json = async (response: Response): Promise<any> => response.json();

  it('answers 401 {"message":"Unauthorized"} without a token or with a bad one', async () => {
    const missing = await api('/items/1');
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: 'Unauthorized' });
    const forged = await api('/items/1', { headers: { authorization: `Bearer ${signHs256({ iss: authorizer.issuer, aud: 'runtime-tests', exp: 4_000_000_000 }, 'a-different-secret-0123')}` } });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('answers 403 when the route needs a scope the token lacks', async () => {
    expect((await api('/admin', { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
  });

  it('passes an HTTP API 2.0 event with path and query parameters and the JWT claims', async () => {
    const response = await api('/items/42?tag=a&tag=b', { headers: { authorization: `Bearer ${token}`, cookie: 'session=1' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('apigw-requestid')).toBeTruthy();
    const { event } = await json(response);
    expect(event).toMatchObject({
      version: '2.0', routeKey: 'GET /items/{id}', rawPath: '/items/42', rawQueryString: 'tag=a&tag=b', cookies: ['session=1'],
      pathParameters: { id: '42' }, queryStringParameters: { tag: 'a,b' },
      requestContext: { stage: 'test', http: { method: 'GET', path: '/items/42', sourceIp: '127.0.0.1' }, authorizer: { jwt: { claims: { sub: 'tester', iss: 'https://issuer.test', aud: 'runtime-tests' }, scopes: ['read'] } } },
    });
  });

  it('matches {proxy+} routes and base64-encodes binary bodies', async () => {
    const response = await api('/files/reports/2026/q1.bin', { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array([0, 1, 2, 255]) });
    const { event } = await json(response);
    expect(event).toMatchObject({ routeKey: 'ANY /files/{proxy+}', pathParameters: { proxy: 'reports/2026/q1.bin' }, body: 'AAEC/w==', isBase64Encoded: true });
  });

  it('maps statusCode, headers, cookies and a base64 body from the function result', async () => {
    const response = await api('/respond?respond=1', { method: 'POST', body: '{}' });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-ledger')).toBe('ok');
    expect(response.headers.getSetCookie()).toEqual(['s=1; HttpOnly', 't=2']);
    expect(await response.text()).toBe('hello');
  });

  it('turns a result without statusCode into a 200 JSON response', async () => {
    const response = await api('/respond', { method: 'POST', body: '{}' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect((await json(response)).event.body).toBe('{}');
  });

  it('answers 500 {"message":"Internal Server Error"} when the function throws', async () => {
    const response = await api('/fail');
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('answers 502 for a REST API route whose result is not a proxy response', async () => {
    const response = await api('/rest/bob');
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ message: 'Internal server error' });
  });

  /** Starts a POST whose body the test writes; resolves with the answer, which may come before the body ends. */
  const postStream = (headers: Record<string, string | number>) => {
    const request = httpRequest(`${runtime.apiUrl}/respond`, { method: 'POST', headers });
    request.on('error', () => undefined); // the server closes the connection after its 413
    const answer = new Promise<{ status: number; body: string }>((resolve) => {
      request.on('response', (response: IncomingMessage) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body }));
      });
    });
    return { request, answer };
  };

  it('answers 413 when the Content-Length is over the 10 MB payload limit, before any of the body arrives', async () => {
    const { request, answer } = postStream({ 'content-type': 'application/json', 'content-length': apiPayloadLimitBytes + 1 });
    request.flushHeaders();

    expect(await answer).toEqual({ status: 413, body: '{"message":"Request Entity Too Large"}' });
    request.destroy();
  });

  it('answers 413 as soon as a streamed body passes the limit, while the client is still sending', async () => {
    const { request, answer } = postStream({ 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const megabyte = Buffer.alloc(1024 * 1024, 0x20);
    for (let sent = 0; sent <= apiPayloadLimitBytes; sent += megabyte.length) request.write(megabyte);

    // The request never ends: only a refusal before the end can answer it.
    expect(await answer).toEqual({ status: 413, body: '{"message":"Request Entity Too Large"}' });
    request.destroy();
  });

  it('takes a body just under the limit', async () => {
    const body = `"${'x'.repeat(apiPayloadLimitBytes - 3)}"`;
    const response = await api('/respond', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(200);
    expect((await json(response)).event.body).toHaveLength(apiPayloadLimitBytes - 1);
  });

  it('serves parallel requests from several warm instances', async () => {
    const responses = await Promise.all(Array.from({ length: 4 }, () => api('/files/x?sleepMs=400').then(json)));
    expect(new Set(responses.map((body) => body.instanceId)).size).toBeGreaterThan(1);
    const again = await json(await api('/files/x'));
    expect(responses.map((body) => body.instanceId)).toContain(again.instanceId);
  });

  it('serves the OpenAPI document and the docs page', async () => {
    const spec = await json(await api('/openapi.json'));
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths).length).toBeGreaterThan(0);
    const docs = await api('/docs');
    expect(docs.headers.get('content-type')).toContain('text/html');
    expect(await docs.text()).toContain('/openapi.json');
    const script = await api('/docs/swagger-ui-bundle.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('text/javascript');
  });

  describe('Lambda Invoke API with @aws-sdk/client-lambda', () => {
    let lambda: LambdaClient;
    beforeAll(() => {
      lambda = new LambdaClient({ endpoint: runtime.invokeUrl, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    });

    it('invokes RequestResponse and returns the payload with the executed version', async () => {
      const output = await lambda.send(new InvokeCommand({ FunctionName: 'EchoFunction', Payload: JSON.stringify({ n: 1 }), LogType: 'Tail' }));
      expect(output.StatusCode).toBe(200);
      expect(output.ExecutedVersion).toBe('$LATEST');
      expect(output.FunctionError).toBeUndefined();
      expect(JSON.parse(Buffer.from(output.Payload!).toString()).event).toEqual({ n: 1 });
      expect(output.LogResult).toBeDefined();
    });

    it('reports a function error as Unhandled with the error payload', async () => {
      const output = await lambda.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:eu-west-1:123456789012:function:FailingFunction' }));
      expect(output.StatusCode).toBe(200);
      expect(output.FunctionError).toBe('Unhandled');
      expect(JSON.parse(Buffer.from(output.Payload!).toString())).toMatchObject({ errorType: 'LedgerMismatchError', errorMessage: 'debits and credits differ', trace: expect.any(Array) });
    });

    it('accepts Event (202) and DryRun (204) invocations', async () => {
      expect((await lambda.send(new InvokeCommand({ FunctionName: 'EchoFunction', InvocationType: 'Event', Payload: '{}' }))).StatusCode).toBe(202);
      expect((await lambda.send(new InvokeCommand({ FunctionName: 'EchoFunction', InvocationType: 'DryRun' }))).StatusCode).toBe(204);
    });

    it('answers ResourceNotFoundException for an unknown function', async () => {
      await expect(lambda.send(new InvokeCommand({ FunctionName: 'NoSuchFunction' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    });
  });
});
