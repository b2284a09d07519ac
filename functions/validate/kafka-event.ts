import * as z from 'zod';

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
  headers: z.array(z.record(z.string(), z.array(z.number().int()))).default([]),
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

// A value that is not UTF-8 is the record's problem, reported as such, never silently repaired.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of a record's base64 value; undefined for a record without a value (a tombstone). */
export function decodeValue(value: string | null | undefined): { ok: true; text: string | undefined } | { ok: false; lossy: string } {
  if (value === null || value === undefined) return { ok: true, text: undefined };
  const bytes = Buffer.from(value, 'base64');
  try {
    return { ok: true, text: strictUtf8.decode(bytes) };
  } catch {
    return { ok: false, lossy: bytes.toString('utf8') };
  }
}

/** The text of a base64 value, bytes that are not UTF-8 replaced (for tools that only count records). */
export const decodeBase64 = (value: string | null | undefined): string | undefined =>
  value === null || value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
