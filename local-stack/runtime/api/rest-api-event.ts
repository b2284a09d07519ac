import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { EventScope } from './http-api-event.ts';
import { apiGatewayTime, type HttpRequestData, type HttpResponseData, jsonResponse, localApiId, queryPairs } from './http-request.ts';
import type { RouteMatch } from './route-matcher.ts';

/** A REST API (payload format 1.0) proxy event, in the shape API Gateway documents. */
export function buildRestApiEvent(request: HttpRequestData, match: RouteMatch, scope: EventScope): APIGatewayProxyEvent {
  const now = scope.now ?? new Date();
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index]!;
    const value = request.rawHeaders[index + 1]!;
    headers[name] = value;
    multiValueHeaders[name] ??= [];
    multiValueHeaders[name].push(value);
  }
  const queryStringParameters: Record<string, string> = {};
  const multiValueQueryStringParameters: Record<string, string[]> = {};
  for (const [name, value] of queryPairs(request.rawQueryString)) {
    queryStringParameters[name] = value;
    multiValueQueryStringParameters[name] ??= [];
    multiValueQueryStringParameters[name].push(value);
  }
  const hasQuery = Object.keys(queryStringParameters).length > 0;
  const hasPath = Object.keys(match.pathParameters).length > 0;
  const host = headers.Host ?? headers.host ?? 'localhost';
  const requestId = scope.requestId ?? randomUUID();
  return {
    resource: match.route.path,
    path: request.rawPath,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? queryStringParameters : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQueryStringParameters : null,
    pathParameters: hasPath ? match.pathParameters : null,
    stageVariables: null,
    requestContext: {
      accountId: scope.accountId,
      apiId: localApiId(match.api.logicalId),
      authorizer: scope.jwt ? { claims: scope.jwt.claims, scopes: scope.jwt.scopes } : undefined,
      domainName: host,
      domainPrefix: host.split('.')[0]!,
      extendedRequestId: requestId,
      httpMethod: request.method,
      identity: {
        accessKey: null, accountId: null, apiKey: null, apiKeyId: null, caller: null, clientCert: null, cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null, cognitoIdentityId: null, cognitoIdentityPoolId: null, principalOrgId: null,
        sourceIp: request.sourceIp, user: null, userAgent: headers['User-Agent'] ?? headers['user-agent'] ?? null, userArn: null,
      },
      path: `/${match.api.stageName}${request.rawPath}`,
      protocol: request.protocol,
      requestId,
      requestTime: apiGatewayTime(now),
      requestTimeEpoch: now.getTime(),
      resourceId: localApiId(match.route.path).slice(0, 6),
      resourcePath: match.route.path,
      stage: match.api.stageName,
    } as APIGatewayProxyEvent['requestContext'],
    // REST APIs pass bodies as text unless binary media types are configured.
    body: request.body.length > 0 ? request.body.toString('utf8') : null,
    isBase64Encoded: false,
  };
}

/** A 1.0 proxy response must carry statusCode; anything else is a 502, as in API Gateway. */
export function restApiResponse(result: unknown): HttpResponseData {
  if (result === null || typeof result !== 'object' || !('statusCode' in result)) return badGateway();
  const response = result as { statusCode: unknown; headers?: Record<string, unknown>; multiValueHeaders?: Record<string, unknown[]>; body?: unknown; isBase64Encoded?: boolean };
  const statusCode = Number(response.statusCode);
  if (!Number.isInteger(statusCode) || (response.body !== undefined && response.body !== null && typeof response.body !== 'string')) return badGateway();
  const headers: [string, string][] = [];
  for (const [name, value] of Object.entries(response.headers ?? {})) headers.push([name, String(value)]);
  for (const [name, values] of Object.entries(response.multiValueHeaders ?? {})) for (const value of [values].flat()) headers.push([name, String(value)]);
  const body = typeof response.body === 'string' ? response.body : '';
  return { statusCode, headers, body: response.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8') };
}

export const badGateway = (): HttpResponseData => jsonResponse(502, { message: 'Internal server error' });
