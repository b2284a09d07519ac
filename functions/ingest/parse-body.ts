import { maskCardNumbers } from '#contracts/card-data.ts';
import { RequestError } from '#lib/errors.ts';

export type BodyFormat = 'json' | 'ndjson';

/**
 * Reads the records of a request body: a JSON array, an object `{ "records": [...] }`
 * or NDJSON (one JSON value per line). The whole body is rejected at the first
 * problem, with where it is: nothing of a malformed request is published.
 */
export function parseRecords(body: string, format: BodyFormat): unknown[] {
  if (body.trim() === '') throw new RequestError(400, 'EMPTY_BODY', 'request body is empty');
  return format === 'ndjson' ? parseNdjson(body) : parseJson(body);
}

/** NDJSON when the content type says so; JSON otherwise. */
export function bodyFormat(contentType: string | undefined): BodyFormat {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType === 'application/x-ndjson' || mediaType === 'application/ndjson' || mediaType === 'application/jsonl') {
    return 'ndjson';
  }
  if (mediaType === undefined || mediaType === 'application/json' || mediaType === '') return 'json';
  throw new RequestError(415, 'UNSUPPORTED_MEDIA_TYPE', `content type ${mediaType} is not accepted; use application/json or application/x-ndjson`);
}

function parseJson(body: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new RequestError(400, 'INVALID_JSON', maskCardNumbers(`body is not valid JSON: ${(error as Error).message}`));
  }
  if (Array.isArray(parsed)) return parsed;
  if (parsed !== null && typeof parsed === 'object' && Array.isArray((parsed as { records?: unknown }).records)) {
    return (parsed as { records: unknown[] }).records;
  }
  throw new RequestError(400, 'INVALID_BODY_SHAPE', 'body must be a JSON array of records or an object with a "records" array');
}

function parseNdjson(body: string): unknown[] {
  const records: unknown[] = [];
  const lines = body.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '') continue;
    try {
      records.push(JSON.parse(line));
    } catch (error) {
      throw new RequestError(400, 'INVALID_NDJSON', maskCardNumbers(`line ${index + 1} is not valid JSON: ${(error as Error).message}`), {
        line: index + 1,
      });
    }
  }
  return records;
}
