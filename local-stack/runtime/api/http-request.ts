/** What the API reads from an HTTP request, independent of node:http. */
export interface HttpRequestData {
  method: string;
  /** Path as sent, still percent-encoded. */
  rawPath: string;
  rawQueryString: string;
  /** Name/value pairs in arrival order, names as sent. */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  protocol: string;
}

const textTypes = [/^text\//, /^application\/(json|xml|javascript|x-ndjson|x-www-form-urlencoded|graphql)\b/, /\+(json|xml)\b/];

/** HTTP API passes text bodies as they are and base64-encodes anything else. */
export function isTextContent(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const type = contentType.toLowerCase();
  return textTypes.some((pattern) => pattern.test(type));
}

export function splitUrl(url: string): { rawPath: string; rawQueryString: string } {
  const question = url.indexOf('?');
  return question < 0 ? { rawPath: url, rawQueryString: '' } : { rawPath: url.slice(0, question), rawQueryString: url.slice(question + 1) };
}

/** Query string pairs decoded (`+` is a space), in order. */
export function queryPairs(rawQueryString: string): [string, string][] {
  if (!rawQueryString) return [];
  return rawQueryString.split('&').filter(Boolean).map((pair) => {
    const equals = pair.indexOf('=');
    const name = equals < 0 ? pair : pair.slice(0, equals);
    const value = equals < 0 ? '' : pair.slice(equals + 1);
    return [decodeQuery(name), decodeQuery(value)];
  });
}

function decodeQuery(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

let cachedTime = { second: -1, text: '' };

/** `10/Mar/2026:12:00:00 +0000`, API Gateway's requestTime (formatted once per second). */
export function apiGatewayTime(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second === cachedTime.second) return cachedTime.text;
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (value: number) => String(value).padStart(2, '0');
  const text = `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
  cachedTime = { second, text };
  return text;
}

const apiIds = new Map<string, string>();

/** A short id per API, shaped like API Gateway's (10 lower-case characters). */
export function localApiId(logicalId: string): string {
  let id = apiIds.get(logicalId);
  if (id === undefined) {
    let hash = 2166136261;
    for (const char of logicalId) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
    id = (hash.toString(36) + logicalId.toLowerCase().replace(/[^a-z0-9]/g, '')).slice(0, 10).padEnd(10, '0');
    apiIds.set(logicalId, id);
  }
  return id;
}

/** What an integration answers, mapped back to HTTP. */
export interface HttpResponseData {
  statusCode: number;
  headers: [string, string][];
  body: Buffer;
}

export function jsonResponse(statusCode: number, body: unknown, headers: [string, string][] = []): HttpResponseData {
  return { statusCode, headers: [['content-type', 'application/json'], ...headers], body: Buffer.from(JSON.stringify(body)) };
}
