import { isUtf8 } from 'node:buffer';
import * as z from 'zod';

/**
 * A header value as Lambda sends it. Checked in one loop: a batch holds a few hundred
 * bytes of headers per record, and a schema per byte cost as much as validating the record.
 */
function isByteArray(value: unknown): value is number[] {
  if (!Array.isArray(value)) return false;
  for (const byte of value) if (!Number.isInteger(byte)) return false;
  return true;
}

/**
 * The event Lambda delivers for Amazon MSK ("aws:kafka") and self-managed Kafka
 * ("SelfManagedKafka") event sources: records grouped by "topic-partition", key and
 * value base64-encoded, each header an object of one name and its bytes.
 */
const kafkaRecord = z.object({
  topic: z.string(),
  partition: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  timestamp: z.number(),
  timestampType: z.string(),
  key: z.string().nullish(),
  value: z.string().nullish(),
  headers: z.array(z.record(z.string(), z.custom<number[]>(isByteArray, 'must be an array of bytes (integers)'))).default([]),
});

export const kafkaEventSchema = z.object({
  eventSource: z.enum(['aws:kafka', 'SelfManagedKafka']),
  eventSourceArn: z.string().optional(),
  bootstrapServers: z.string().optional(),
  records: z.record(z.string(), z.array(kafkaRecord)),
});

export type KafkaEvent = z.infer<typeof kafkaEventSchema>;
export type KafkaRecord = z.infer<typeof kafkaRecord>;

/** Header values decoded as UTF-8; the last value wins when a name repeats. */
export function decodeHeaders(headers: KafkaRecord['headers']): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const header of headers) {
    for (const name in header) decoded[name] = decodeBytes(header[name]!);
  }
  return decoded;
}

/**
 * UTF-8 text of header bytes (each taken modulo 256, as Lambda sends Java's signed
 * bytes). Header values are short and almost always ASCII: those skip the Buffer. Only
 * short ones: apply() puts every byte on the stack, and a producer may send a header of
 * a megabyte, which must fail nothing.
 */
function decodeBytes(bytes: number[]): string {
  if (bytes.length <= 1024 && bytes.every((byte) => byte >= 0 && byte < 0x80)) return String.fromCharCode.apply(null, bytes);
  return Buffer.from(bytes.map((value) => value & 0xff)).toString('utf8');
}

/**
 * The text of a record's base64 value; undefined for a record without a value (a
 * tombstone). A value that is not UTF-8 is the record's problem, reported as such, never
 * silently repaired. A leading byte order mark is dropped, as a UTF-8 decoder does.
 */
export function decodeValue(value: string | null | undefined): { ok: true; text: string | undefined } | { ok: false; lossy: string } {
  if (value === null || value === undefined) return { ok: true, text: undefined };
  const bytes = Buffer.from(value, 'base64');
  const text = bytes.toString('utf8');
  if (!isUtf8(bytes)) return { ok: false, lossy: text };
  return { ok: true, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

/** The text of a base64 value, bytes that are not UTF-8 replaced (for tools that only count records). */
export const decodeBase64 = (value: string | null | undefined): string | undefined =>
  value === null || value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
