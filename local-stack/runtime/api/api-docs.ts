import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RouteDefinition } from '../template/model.ts';
import type { HttpResponseData } from './http-request.ts';

/** A caller's OpenAPI document for the API, given the URL the API serves at. */
export type OpenApiProvider = (serverUrl: string) => Record<string, unknown> | Promise<Record<string, unknown>>;

/** The template's routes as an OpenAPI document, for when the caller provides none: /docs always has something true to show. */
export function routesDocument(routes: RouteDefinition[], serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    if (route.path === '$default') continue;
    const method = route.method === 'ANY' ? 'x-any' : route.method.toLowerCase();
    paths[route.path] ??= {};
    paths[route.path]![method] = { operationId: `${route.functionLogicalId}${route.eventName}`, summary: `${route.functionLogicalId} (${route.kind})`, responses: { default: { description: 'Function response' } } };
  }
  return { openapi: '3.1.0', info: { title: 'Local API', version: '0.0.0' }, servers: [{ url: serverUrl }], paths };
}

/** Swagger UI from the swagger-ui-dist package, served by the API itself: the page needs no network beyond it. */
const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const swaggerUiFiles: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

/** Swagger UI over /openapi.json; the bearer token given under "Authorize" is kept across reloads. */
export const docsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>API docs</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="/docs/favicon-16x16.png" sizes="16x16">
</head><body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: true, presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout' });
</script></body></html>
`;

const fileCache = new Map<string, Buffer>();

/** The answer to `GET <rawPath>` under /docs, or undefined when the path is not the page or one of its files. */
export function docsResponse(rawPath: string): HttpResponseData | undefined {
  if (rawPath === '/docs' || rawPath === '/docs/') {
    return { statusCode: 200, headers: [['content-type', 'text/html; charset=utf-8']], body: Buffer.from(docsPage) };
  }
  const name = rawPath.startsWith('/docs/') ? rawPath.slice('/docs/'.length) : '';
  const contentType = Object.hasOwn(swaggerUiFiles, name) ? swaggerUiFiles[name] : undefined;
  if (!contentType) return undefined;
  let body = fileCache.get(name);
  if (!body) {
    body = readFileSync(join(swaggerUiDir, name));
    fileCache.set(name, body);
  }
  return { statusCode: 200, headers: [['content-type', contentType], ['cache-control', 'public, max-age=3600']], body };
}
