import type { OutgoingMessage } from './record-messages.ts';

/**
 * Kinesis records have no headers, so what Kafka carries in headers (recordHeaders:
 * event id, batch id, received-at, trace context, contract version, source object, card
 * number findings) travels inside the record's data, in a small JSON envelope:
 *
 *   {"envelope":"ledgerflow-record/1","headers":{"event-id":"...",...},"value":<the record>}
 *
 * `value` is the record's JSON as published to Kafka, embedded as is (not re-encoded as
 * a string). Validation reads data without this envelope as a bare value with no headers,
 * as it reads a Kafka record that carries none.
 */
export const streamEnvelopeVersion = 'ledgerflow-record/1';

/** The data of a Kinesis record for a message; its value must be JSON text (ingest's always is). */
export const encodeStreamEnvelope = (message: Pick<OutgoingMessage, 'headers' | 'value'>): string =>
  `{"envelope":"${streamEnvelopeVersion}","headers":${JSON.stringify(message.headers)},"value":${message.value}}`;

export type DecodedStreamData = { headers: Record<string, string>; value: unknown };

/**
 * The headers and value of a parsed Kinesis record: an envelope gives both (header values
 * that are not strings are left out), anything else is a bare value with no headers.
 */
export function decodeStreamEnvelope(parsed: unknown): DecodedStreamData {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { headers: {}, value: parsed };
  const candidate = parsed as Record<string, unknown>;
  if (candidate.envelope !== streamEnvelopeVersion || !('value' in candidate)) return { headers: {}, value: parsed };
  const headers: Record<string, string> = {};
  if (candidate.headers !== null && typeof candidate.headers === 'object') {
    for (const [name, value] of Object.entries(candidate.headers)) if (typeof value === 'string') headers[name] = value;
  }
  return { headers, value: candidate.value };
}
