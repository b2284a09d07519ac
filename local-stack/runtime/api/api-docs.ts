import type { RouteDefinition } from '../template/model.ts';

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

/** A self-contained page (no CDN): the operations of /openapi.json and a form to call them. */
export const docsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>API docs</title>
<style>
body{font:14px system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}
h1{font-size:1.4rem} .op{border:1px solid #ccc;border-radius:6px;margin:1rem 0;padding:.8rem}
.method{font-weight:bold;text-transform:uppercase;padding:.1rem .5rem;border-radius:4px;background:#e8f0fe;margin-right:.5rem}
pre{background:#f6f8fa;padding:.6rem;overflow:auto;max-height:20rem} textarea,input{width:100%;font-family:monospace;box-sizing:border-box}
button{margin-top:.4rem} details{margin:.4rem 0}
</style></head><body>
<h1 id="title">API docs</h1><p id="description"></p>
<label>Bearer token (<code>npm run local:token</code>)<input id="token" placeholder="eyJ..."></label>
<div id="operations">Loading /openapi.json ...</div>
<script>
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
fetch('/openapi.json').then((r) => r.json()).then((spec) => {
  document.getElementById('title').textContent = spec.info.title + ' ' + spec.info.version;
  document.getElementById('description').textContent = spec.info.description || '';
  const ops = document.getElementById('operations'); ops.innerHTML = '';
  let n = 0;
  for (const [path, methods] of Object.entries(spec.paths || {})) for (const [method, op] of Object.entries(methods)) {
    const id = 'op' + (n++); const params = (op.parameters || []).filter((p) => p.in === 'path');
    const div = document.createElement('div'); div.className = 'op';
    div.innerHTML = '<div><span class="method">' + esc(method) + '</span><code>' + esc(path) + '</code> ' + esc(op.summary || '') + '</div>'
      + '<details><summary>Request and responses</summary><pre>' + esc(JSON.stringify({ parameters: op.parameters, requestBody: op.requestBody, responses: op.responses }, null, 2)) + '</pre></details>'
      + params.map((p) => '<label>' + esc(p.name) + ' <input data-param="' + esc(p.name) + '" value="' + esc((p.schema && p.schema.enum && p.schema.enum[0]) || '') + '"></label>').join('')
      + '<label>Body <textarea rows="5" id="' + id + 'b">[]</textarea></label><button id="' + id + 's">Send</button><pre id="' + id + 'r"></pre>';
    ops.appendChild(div);
    document.getElementById(id + 's').onclick = async () => {
      let url = path; for (const input of div.querySelectorAll('[data-param]')) url = url.replace('{' + input.dataset.param + '}', encodeURIComponent(input.value));
      const token = document.getElementById('token').value.trim();
      const headers = { 'content-type': 'application/json' }; if (token) headers.authorization = 'Bearer ' + token;
      const res = await fetch(url, { method: method.toUpperCase(), headers, body: ['get', 'head'].includes(method) ? undefined : document.getElementById(id + 'b').value });
      document.getElementById(id + 'r').textContent = res.status + ' ' + res.statusText + '\\n' + await res.text();
    };
  }
}).catch((e) => { document.getElementById('operations').textContent = 'cannot load /openapi.json: ' + e; });
</script></body></html>
`;
