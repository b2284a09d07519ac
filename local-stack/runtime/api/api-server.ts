import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FunctionRegistry } from '../function-registry.ts';
import { defaultLocalJwtSecret, isLoopbackHost } from '../settings.ts';
import type { FunctionPool, InvokeOutcome } from '../worker/function-pool.ts';
import { docsResponse, type OpenApiProvider, routesDocument } from './api-docs.ts';
import { buildHttpApiEvent, httpApiRequestId, httpApiResponse, internalServerError, serviceUnavailable } from './http-api-event.ts';
import { type HttpRequestData, type HttpResponseData, jsonResponse, splitUrl } from './http-request.ts';
import { type JwtVerdict, stringifyClaims, verifyJwt } from './jwt.ts';
import { buildRestApiEvent, badGateway, restApiResponse } from './rest-api-event.ts';
import { type RouteMatch, RouteMatcher } from './route-matcher.ts';

export interface ApiServerOptions {
  registry: FunctionRegistry;
  host?: string;
  port?: number;
  jwtSecret: string;
  /** The document /openapi.json serves; without one, the template's routes. */
  openApiDocument?: OpenApiProvider;
  onNotice?: (text: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const verdictCacheSize = 10_000;

/** API Gateway's payload limit (HTTP and REST APIs): 10 MB. */
export const apiPayloadLimitBytes = 10 * 1024 * 1024;

/** Beyond loopback, anyone could sign tokens with the public default key: that needs a secret of one's own. */
export function assertApiHostIsSafe(host: string, jwtSecret: string): void {
  if (!isLoopbackHost(host) && jwtSecret === defaultLocalJwtSecret) {
    throw new Error(`--host ${host} lets other machines in, and the default local JWT secret is public: set LOCAL_JWT_SECRET (at least 16 characters) to a secret of your own`);
  }
}

/** `sam local start-api` without Docker: every HttpApi and Api route of the template on one port. */
export async function startApiServer(options: ApiServerOptions): Promise<RunningServer> {
  const { registry } = options;
  const host = options.host ?? '127.0.0.1';
  assertApiHostIsSafe(host, options.jwtSecret);
  const matcher = new RouteMatcher(registry.model.routes, registry.model.apis);
  const accountId = registry.model.pseudo['AWS::AccountId']!;
  const pools = new Map<string, FunctionPool>();
  // Verifying a token is cheap, but a load test sends the same one thousands of times.
  const verdicts = new Map<string, { verdict: JwtVerdict; expiresAt: number }>();
  let serverUrl = '';

  const authorize = (request: HttpRequestData, match: RouteMatch): JwtVerdict | undefined => {
    if (!match.route.authorizer) return undefined;
    const authorizer = match.api.authorizers.get(match.route.authorizer)!;
    const headerName = /^\$request\.header\.(.+)$/.exec(authorizer.identitySource)?.[1]?.toLowerCase() ?? 'authorization';
    let value: string | undefined;
    for (let index = 0; index < request.rawHeaders.length; index += 2) {
      if (request.rawHeaders[index]!.toLowerCase() === headerName) value = request.rawHeaders[index + 1];
    }
    if (!value) return { ok: false, status: 401, reason: 'missing token' };
    const token = value.replace(/^Bearer\s+/i, '').trim();
    const cacheKey = `${match.route.apiLogicalId}|${match.route.authorizer}|${match.route.authorizationScopes.join(' ')}|${token}`;
    const cached = verdicts.get(cacheKey);
    if (cached && cached.expiresAt > Date.now()) return cached.verdict;
    const verdict = verifyJwt(token, { secret: options.jwtSecret, issuer: authorizer.issuer, audience: authorizer.audience, scopes: match.route.authorizationScopes });
    if (verdict.ok) {
      if (verdicts.size >= verdictCacheSize) verdicts.clear();
      verdicts.set(cacheKey, { verdict, expiresAt: Math.min(Number(verdict.claims.exp) * 1000, Date.now() + 60_000) });
    }
    return verdict;
  };

  const handle = async (request: HttpRequestData): Promise<HttpResponseData> => {
    const match = matcher.match(request.method, request.rawPath);
    // The built-in /openapi.json and /docs answer only what no template route matches:
    // a template that serves its own document (or has a $default route) wins.
    if (!match) {
      if (request.method === 'GET' && request.rawPath === '/openapi.json') return jsonResponse(200, options.openApiDocument ? await options.openApiDocument(serverUrl) : routesDocument(matcher.routes, serverUrl));
      const docs = request.method === 'GET' ? docsResponse(request.rawPath) : undefined;
      return docs ?? jsonResponse(404, { message: 'Not Found' });
    }
    const verdict = authorize(request, match);
    if (verdict && !verdict.ok) {
      if (verdict.status === 403) return jsonResponse(403, { message: 'Forbidden' });
      const description = verdict.reason === 'missing token' ? [] : [['www-authenticate', `Bearer scope="" error="invalid_token" error_description="${verdict.reason}"`] as [string, string]];
      return jsonResponse(401, { message: 'Unauthorized' }, description);
    }
    const jwt = verdict?.ok ? { claims: stringifyClaims(verdict.claims), scopes: verdict.scopes } : undefined;
    const isHttpApi = match.route.payloadFormatVersion === '2.0';
    const requestId = isHttpApi ? httpApiRequestId() : randomUUID();
    const event = isHttpApi ? buildHttpApiEvent(request, match, { accountId, jwt, requestId }) : buildRestApiEvent(request, match, { accountId, jwt, requestId });
    let pool = pools.get(match.route.functionLogicalId);
    if (!pool) {
      pool = await registry.pool(match.route.functionLogicalId);
      pools.set(match.route.functionLogicalId, pool);
    }
    const outcome = await invokeWithin(pool, event, match.route.timeoutMs);
    const idHeader: [string, string] = isHttpApi ? ['apigw-requestid', requestId] : ['x-amzn-requestid', requestId];
    if (outcome === 'timeout') {
      options.onNotice?.(`${match.route.functionLogicalId}: no answer within the integration timeout (${match.route.timeoutMs} ms)`);
      return withHeader(isHttpApi ? serviceUnavailable() : jsonResponse(504, { message: 'Endpoint request timed out' }), idHeader);
    }
    if (!outcome.ok) {
      options.onNotice?.(`${match.route.functionLogicalId}: ${request.method} ${request.rawPath} failed: ${outcome.error.errorType}: ${outcome.error.errorMessage}`);
      return withHeader(isHttpApi ? internalServerError() : badGateway(), idHeader);
    }
    return withHeader(isHttpApi ? httpApiResponse(outcome.result) : restApiResponse(outcome.result), idHeader);
  };

  const server: Server = createServer({ keepAliveTimeout: 65_000 }, (req: IncomingMessage, res: ServerResponse) => {
    // Like API Gateway, a body over the limit is refused as soon as its length says so or its bytes pass it, never buffered whole.
    if (Number(req.headers['content-length']) > apiPayloadLimitBytes) return refuseTooLarge(res);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (res.headersSent) return;
      size += chunk.length;
      if (size > apiPayloadLimitBytes) return refuseTooLarge(res);
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      const { rawPath, rawQueryString } = splitUrl(req.url ?? '/');
      const request: HttpRequestData = {
        method: req.method ?? 'GET',
        rawPath,
        rawQueryString,
        rawHeaders: req.rawHeaders,
        body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        protocol: `HTTP/${req.httpVersion}`,
      };
      handle(request).then(
        (response) => send(res, response),
        (error: unknown) => {
          options.onNotice?.(`API error on ${request.method} ${request.rawPath}: ${(error as Error).message}`);
          send(res, internalServerError());
        },
      );
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  serverUrl = `http://${host}:${address.port}`;
  return {
    url: serverUrl,
    port: address.port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** The route's integration timeout, when the function's own timeout would not end it sooner. */
async function invokeWithin(pool: FunctionPool, event: unknown, timeoutMs: number): Promise<InvokeOutcome | 'timeout'> {
  if (pool.spec.timeoutSeconds * 1000 <= timeoutMs) return pool.invoke(event);
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    pool.invoke(event),
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  return outcome;
}

function withHeader(response: HttpResponseData, header: [string, string]): HttpResponseData {
  response.headers.push(header);
  return response;
}

/** 413 with API Gateway's body; the connection closes, so the rest of the body is not read. */
function refuseTooLarge(res: ServerResponse): void {
  const response = jsonResponse(413, { message: 'Request Entity Too Large' }, [['connection', 'close']]);
  send(res, response);
}

function send(res: ServerResponse, response: HttpResponseData): void {
  // writeHead takes names and values as one flat list, repeated names included (set-cookie).
  const headers: string[] = [];
  for (const [name, value] of response.headers) headers.push(name, value);
  headers.push('content-length', String(response.body.length));
  res.writeHead(response.statusCode, headers);
  res.end(response.body);
}
