import { describe, expect, it } from 'vitest';
import { docsPage, docsResponse } from '../../api/api-docs.ts';

describe('/docs (Swagger UI from swagger-ui-dist)', () => {
  it('serves the page at /docs and /docs/, pointing Swagger UI at /openapi.json', () => {
    for (const path of ['/docs', '/docs/']) {
      const response = docsResponse(path);
      expect(response?.statusCode).toBe(200);
      expect(response?.headers).toContainEqual(['content-type', 'text/html; charset=utf-8']);
    }
    expect(docsPage).toContain("url: '/openapi.json'");
    expect(docsPage).toContain('SwaggerUIBundle(');
  });

  it('serves every file the page loads from the package, with its content type', () => {
    const assets = [...docsPage.matchAll(/(?:src|href)="([^"]+)"/g)].map((found) => found[1]!);

    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      expect(asset).toMatch(/^\/docs\//);
      const response = docsResponse(asset);
      expect(response?.statusCode, asset).toBe(200);
      expect(response!.body.length, asset).toBeGreaterThan(0);
    }
    expect(docsResponse('/docs/swagger-ui-bundle.js')?.headers).toContainEqual(['content-type', 'text/javascript; charset=utf-8']);
  });

  it('serves no other file of the package or of the disk', () => {
    for (const path of ['/docs/package.json', '/docs/../package.json', '/docs/%2e%2e/package.json', '/docs/index.html', '/docs/constructor', '/docsx', '/openapi.json']) {
      expect(docsResponse(path), path).toBeUndefined();
    }
  });
});
