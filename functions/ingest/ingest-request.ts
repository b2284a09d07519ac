import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { containsCardNumber, maskCardNumbers } from '#contracts/card-data.ts';
import { recordLimits } from '#contracts/record-limits.ts';
import type { FunctionDependencies } from '#lib/dependencies.ts';
import { PublishError, RequestError } from '#lib/errors.ts';
import { errorResponse } from '#lib/http-errors.ts';
import { deterministicUuid, randomId, randomTraceparent } from '#lib/ids.ts';
import { maxChunkBytes, publishInChunks } from '#lib/publish-chunks.ts';
import type { OutgoingMessage } from '#lib/record-messages.ts';
import { bodyFormat, parseRecords } from './parse-body.ts';
import { prepareBatch } from './prepare-batch.ts';

export interface IngestSettings {
  topicPrefix: string;
  cardTokenKey: string;
  maxBodyBytes: number;
  maxRecordsPerRequest: number;
  /** The brokers' message size limit; each record must fit in one message (record-limits.ts). */
  maxMessageBytes: number;
}

export type IngestDependencies = FunctionDependencies<IngestSettings> & {
  /** One produce request; ingest splits a batch into requests the broker accepts (publishInChunks). */
  publish: (messages: OutgoingMessage[]) => Promise<void>;
  now: () => Date;
};

export interface IngestAccepted {
  batchId: string;
  source: string;
  topic: string;
  accepted: number;
  eventIds: string[];
}

/**
 * POST /v1/sources/{source}/records: checks the envelope, publishes every record and
 * answers 202 only once all of them are durable in Kafka; when Kafka takes only part of
 * the batch, a 503 names the records that are durable and those that are not.
 */
export async function ingestRequest(event: APIGatewayProxyEventV2, deps: IngestDependencies): Promise<APIGatewayProxyResultV2> {
  const { settings } = deps;
  const source = event.pathParameters?.source ?? '';
  const contract = deps.findContract(source);
  if (!contract) throw new RequestError(404, 'UNKNOWN_SOURCE', `source "${maskCardNumbers(source)}" is not known`);

  const body = requestBody(event, settings.maxBodyBytes);
  const records = parseRecords(body, bodyFormat(header(event, 'content-type')));
  const batchId = batchIdFor(source, header(event, 'idempotency-key'));
  deps.logger.appendKeys({ batchId });
  const traceparent = traceparentFor(header(event, 'traceparent'));
  const { messages, eventIds } = prepareBatch(
    contract,
    records,
    { batchId, receivedAt: deps.now().toISOString(), traceparent },
    {
      topicPrefix: settings.topicPrefix,
      tokenKey: settings.cardTokenKey,
      maxRecords: settings.maxRecordsPerRequest,
      limits: recordLimits(settings.maxMessageBytes),
      eventIdFor: (index) => deterministicUuid(batchId, String(index)),
    },
  );

  const outcome = await publishInChunks(messages, deps.publish, maxChunkBytes(settings.maxMessageBytes));
  if (outcome.published === 0) throw new PublishError(`publishing batch ${batchId} failed`, { cause: outcome.error });
  const topic = messages[0]!.topic;
  deps.metrics.addMetric('RecordsPublished', 'Count', outcome.published);
  if (outcome.error) {
    deps.logger.error('batch partly published', { batchId, topic, published: outcome.published, records: messages.length, traceparent, error: outcome.error as Error });
    return partlyPublished(batchId, eventIds, outcome.published);
  }
  // Ids only: the records themselves carry personal data.
  deps.logger.info('batch published', { batchId, topic, records: messages.length, traceparent });

  const accepted: IngestAccepted = { batchId, source, topic, accepted: messages.length, eventIds };
  return { statusCode: 202, headers: { 'content-type': 'application/json' }, body: JSON.stringify(accepted) };
}

/** One record of a partly published batch, as the answer names it. */
export interface RecordRef {
  index: number;
  eventId: string;
}

/**
 * The answer when Kafka took only the first `published` records: a 503, so a client that
 * retries on failure retries, naming which records are durable and which are not. With
 * the same Idempotency-Key a retry carries the same event ids, so a record already durable
 * comes again under its event id, for downstream stages to recognise.
 */
function partlyPublished(batchId: string, eventIds: string[], published: number): APIGatewayProxyResultV2 {
  const refs = eventIds.map((eventId, index): RecordRef => ({ index, eventId }));
  const failed = refs.length - published;
  return errorResponse(503, {
    code: 'PARTIALLY_PUBLISHED',
    message: `${published} of ${refs.length} records are durable; ${failed} are not confirmed: send the batch again with the same Idempotency-Key`,
    details: { batchId, accepted: refs.slice(0, published), failed: refs.slice(published) },
  });
}

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  // HTTP API lower-cases header names in payload 2.0; REST APIs may not, so look both ways.
  const headers = event.headers ?? {};
  return headers[name] ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
}

function requestBody(event: APIGatewayProxyEventV2, maxBytes: number): string {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.byteLength > maxBytes) {
    throw new RequestError(413, 'BODY_TOO_LARGE', `body is ${bytes.byteLength} bytes; at most ${maxBytes} are accepted`);
  }
  if (!event.isBase64Encoded) return raw;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new RequestError(400, 'INVALID_ENCODING', 'body is not valid UTF-8');
  }
}

// Bytes that are not UTF-8 are refused rather than silently replaced by U+FFFD.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * With an Idempotency-Key the batch id, and so every event id, is the same on a retry:
 * downstream stages recognise the records they have already seen.
 */
export function batchIdFor(source: string, idempotencyKey: string | undefined): string {
  return idempotencyKey ? deterministicUuid(source, idempotencyKey) : randomId();
}

const traceparentPattern = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Keeps the caller's W3C trace context, or starts a new trace; a trace id is stored and logged, so it may hold no card number. */
export function traceparentFor(incoming: string | undefined): string {
  if (incoming && traceparentPattern.test(incoming) && !containsCardNumber(incoming)) return incoming;
  return randomTraceparent();
}
