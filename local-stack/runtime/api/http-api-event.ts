import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { RouteMatch } from './route-matcher.ts';
import { apiGatewayTime, type HttpRequestData, type HttpResponseData, isTextContent, jsonResponse, localApiId, queryPairs } from './http-request.ts';

export interface EventScope {
  accountId: string;
  /** Claims and scopes from the JWT authorizer, when the route has one. */
  jwt?: { claims: Record<string, string>; scopes: string[] | null };
  now?: Date;
  requestId?: string;
}

/** HTTP API request ids are 10 random bytes in base64 (`JKJaXmPLvHcESHA=`). */
export function httpApiRequestId(): string {
  const uuid = randomUUID();
  return Buffer.from(uuid.slice(0, 8) + uuid.slice(9, 13) + uuid.slice(14, 18) + uuid.slice(19, 23), 'hex').toString('base64', 0, 10);
}

/** An HTTP API payload format 2.0 event, in the shape API Gateway documents. */
export function buildHttpApiEvent(request: HttpRequestData, match: RouteMatch, scope: EventScope): APIGatewayProxyEventV2 {
  const now = scope.now ?? new Date();
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index]!.toLowerCase();
    const value = request.rawHeaders[index + 1]!;
    // Cookie headers move to `cookies`; other repeated headers are joined with commas.
    if (name === 'cookie') cookies.push(...value.split(';').map((cookie) => cookie.trim()).filter(Boolean));
    else headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of queryPairs(request.rawQueryString)) {
    queryStringParameters[name] = name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
  }
  const routeKey = match.route.path === '$default' ? '$default' : `${match.route.method} ${match.route.path}`;
  const host = headers.host ?? 'localhost';
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(queryStringParameters).length > 0 ? { queryStringParameters } : {}),
    requestContext: {
      accountId: scope.accountId,
      apiId: localApiId(match.api.logicalId),
      ...(scope.jwt ? { authorizer: { jwt: scope.jwt } } : {}),
      domainName: host,
      domainPrefix: host.split('.')[0]!,
      http: {
        method: request.method,
        path: request.rawPath,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: scope.requestId ?? httpApiRequestId(),
      routeKey,
      stage: match.api.stageName,
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    } as APIGatewayProxyEventV2['requestContext'],
    ...(Object.keys(match.pathParameters).length > 0 ? { pathParameters: match.pathParameters } : {}),
    isBase64Encoded: false,
  };
  if (request.body.length > 0) {
    const text = isTextContent(headers['content-type']);
    event.body = text ? request.body.toString('utf8') : request.body.toString('base64');
    event.isBase64Encoded = !text;
  }
  return event;
}

/**
 * Payload format 2.0 response rules: a result with `statusCode` is a response; any other
 * JSON result is the body of a 200 with content-type application/json.
 */
export function httpApiResponse(result: unknown): HttpResponseData {
  if (result !== null && typeof result === 'object' && !Array.isArray(result) && 'statusCode' in result) {
    const response = result as { statusCode: unknown; headers?: Record<string, unknown>; multiValueHeaders?: Record<string, unknown[]>; cookies?: unknown[]; body?: unknown; isBase64Encoded?: boolean };
    const statusCode = Number(response.statusCode);
    if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return internalServerError();
    const headers: [string, string][] = [];
    for (const [name, value] of Object.entries(response.headers ?? {})) headers.push([name.toLowerCase(), String(value)]);
    for (const [name, values] of Object.entries(response.multiValueHeaders ?? {})) headers.push([name.toLowerCase(), [values].flat().join(',')]);
    for (const cookie of response.cookies ?? []) headers.push(['set-cookie', String(cookie)]);
    const bodyText = response.body === undefined || response.body === null ? '' : typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    return { statusCode, headers, body: response.isBase64Encoded ? Buffer.from(bodyText, 'base64') : Buffer.from(bodyText, 'utf8') };
  }
  const body = typeof result === 'string' ? result : JSON.stringify(result);
  return { statusCode: 200, headers: [['content-type', 'application/json']], body: Buffer.from(body, 'utf8') };
}

export const internalServerError = (): HttpResponseData => jsonResponse(500, { message: 'Internal Server Error' });
export const serviceUnavailable = (): HttpResponseData => jsonResponse(503, { message: 'Service Unavailable' });
