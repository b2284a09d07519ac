import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * The API's base URL as the caller reached it: the domain, and the stage prefix that
 * API Gateway keeps in rawPath (`/dev/openapi.json` on route `GET /openapi.json`).
 */
export function serverUrl(event: APIGatewayProxyEventV2): string {
  // API Gateway always sets it (https); a local runtime may leave it out.
  const protocol = event.headers['x-forwarded-proto'] ?? 'http';
  const routePath = event.routeKey.slice(event.routeKey.indexOf(' ') + 1);
  const basePath = event.rawPath.endsWith(routePath) ? event.rawPath.slice(0, -routePath.length) : '';
  return `${protocol}://${event.requestContext.domainName}${basePath}`;
}

/** The document with this request's server URL; the rest is the same for every request of a deploy. */
export function openApiResponse(event: APIGatewayProxyEventV2, document: Record<string, unknown>): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
    body: JSON.stringify({ ...document, servers: [{ url: serverUrl(event) }] }),
  };
}
