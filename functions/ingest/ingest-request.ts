import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { SourceContract } from '#contracts/contract.ts';
import { PublishError, RequestError } from '#lib/errors.ts';
import { deterministicUuid } from '#lib/ids.ts';
import type { OutgoingMessage } from '#lib/record-messages.ts';
import { bodyFormat, parseRecords } from './parse-body.ts';
import { prepareBatch } from './prepare-batch.ts';

export interface IngestSettings {
  topicPrefix: string;
  cardTokenKey: string;
  maxBodyBytes: number;
  maxRecordsPerRequest: number;
}

export interface IngestDependencies {
  findContract: (source: string) => SourceContract | undefined;
  publish: (messages: OutgoingMessage[]) => Promise<void>;
  now: () => Date;
}

export interface IngestAccepted {
  batchId: string;
  source: string;
  topic: string;
  accepted: number;
  eventIds: string[];
}

/**
 * POST /v1/sources/{source}/records: checks the envelope, publishes every record and
 * answers 202 only once all of them are durable in Kafka.
 */
export async function ingestRequest(
  event: APIGatewayProxyEventV2,
  settings: IngestSettings,
  deps: IngestDependencies,
): Promise<APIGatewayProxyResultV2> {
  const source = event.pathParameters?.source ?? '';
  const contract = deps.findContract(source);
  if (!contract) throw new RequestError(404, 'UNKNOWN_SOURCE', `source "${source}" is not known`);

  const body = requestBody(event, settings.maxBodyBytes);
  const records = parseRecords(body, bodyFormat(header(event, 'content-type')));
  const batchId = batchIdFor(source, header(event, 'idempotency-key'));
  const { messages, eventIds } = prepareBatch(
    contract,
    records,
    { batchId, receivedAt: deps.now().toISOString(), traceparent: traceparentFor(header(event, 'traceparent')) },
    {
      topicPrefix: settings.topicPrefix,
      tokenKey: settings.cardTokenKey,
      maxRecords: settings.maxRecordsPerRequest,
      eventIdFor: (index) => deterministicUuid(batchId, String(index)),
    },
  );

  try {
    await deps.publish(messages);
  } catch (error) {
    throw new PublishError(`publishing batch ${batchId} failed`, { cause: error });
  }

  const accepted: IngestAccepted = { batchId, source, topic: messages[0]!.topic, accepted: messages.length, eventIds };
  return { statusCode: 202, headers: { 'content-type': 'application/json' }, body: JSON.stringify(accepted) };
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
  return event.isBase64Encoded ? bytes.toString('utf8') : raw;
}

/**
 * With an Idempotency-Key the batch id, and so every event id, is the same on a retry:
 * downstream stages recognise the records they have already seen.
 */
export function batchIdFor(source: string, idempotencyKey: string | undefined): string {
  return idempotencyKey ? deterministicUuid(source, idempotencyKey) : randomUUID();
}

const traceparentPattern = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Keeps the caller's W3C trace context, or starts a new trace. */
export function traceparentFor(incoming: string | undefined): string {
  if (incoming && traceparentPattern.test(incoming)) return incoming;
  return `00-${randomUUID().replaceAll('-', '')}-${randomUUID().replaceAll('-', '').slice(0, 16)}-01`;
}
