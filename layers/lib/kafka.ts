import { ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import * as z from 'zod';
import { defaultMaxMessageBytes, messageHeadroomBytes } from '#contracts/record-limits.ts';
import { commaList } from './config.ts';
import { type KafkaConnectionOptions, kafkaSecuritySettings } from './kafka-security.ts';
import type { OutgoingMessage } from './record-messages.ts';

export const kafkaSettings = z.object({
  KAFKA_BROKERS: commaList,
  /** The brokers' `message.max.bytes`: a record must fit in one message (record-limits.ts). */
  KAFKA_MAX_MESSAGE_BYTES: z.coerce.number().int().min(64 * 1024).default(defaultMaxMessageBytes),
  ...kafkaSecuritySettings.shape,
});

/** Bytes of one produce request: the headroom covers the request's own framing. */
export const maxChunkBytes = (maxMessageBytes: number) => maxMessageBytes - messageHeadroomBytes;

export type RecordProducer = Producer<string, string, string, string>;

/**
 * An idempotent producer that waits for every in-sync replica (acks=all): a 202 from
 * ingest means the records are durable in Kafka, and a retried send never duplicates.
 * `connection` carries TLS and SASL (kafka-security.ts); without it, plaintext.
 */
export function createRecordProducer(options: { clientId: string; brokers: string[]; connection?: KafkaConnectionOptions }): RecordProducer {
  return new Producer({
    ...options.connection,
    clientId: options.clientId,
    bootstrapBrokers: options.brokers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    serializers: stringSerializers,
    // Back-pressure, not a hang: with the brokers down (connection refused) a send fails
    // after 3 attempts 250 ms apart, about 0.5 s; a broker that takes the connection but
    // does not answer (paused, overloaded) fails it at the 3 s request timeout (the client's
    // own default is 30 s, the function's whole timeout). Ingest then answers 503 and the
    // producer sends again (README "What happens when"; tests/integration/kafka-down.test.ts).
    retries: 2,
    retryDelay: 250,
    connectTimeout: 2_000,
    requestTimeout: 3_000,
    timeout: 3_000,
  });
}

/** Bytes a message takes in a produce request beyond its key, value and headers: record framing, generously. */
const recordFramingBytes = 64;

export function messageBytes(message: OutgoingMessage): number {
  let bytes = recordFramingBytes + Buffer.byteLength(message.key) + Buffer.byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers)) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

/**
 * Consecutive runs of messages of at most `maxBytes` together (a larger message runs
 * alone). The producer sends all messages of one partition as one record batch, and the
 * broker refuses a batch over its `message.max.bytes` whole, however small its records.
 */
export function chunkMessages(messages: OutgoingMessage[], maxBytes: number): OutgoingMessage[][] {
  const chunks: OutgoingMessage[][] = [];
  let chunk: OutgoingMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = messageBytes(message);
    if (chunk.length > 0 && bytes + size > maxBytes) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(message);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** Messages `[0, published)` are durable; from `published` on they are not, and `error` says why. */
export interface PublishOutcome {
  published: number;
  error?: unknown;
}

/**
 * Sends the messages in order, one request per chunk of at most `maxChunkBytes`, and
 * stops at the first request the broker does not acknowledge, so the outcome is a plain
 * split: what came before it is durable, the rest is not (a failed request may still
 * have written some of its partitions: those records are reported as not durable and
 * carry the same event ids when sent again).
 */
export async function publishInChunks(
  messages: OutgoingMessage[],
  send: (messages: OutgoingMessage[]) => Promise<void>,
  maxChunkBytes: number,
): Promise<PublishOutcome> {
  let published = 0;
  for (const chunk of chunkMessages(messages, maxChunkBytes)) {
    try {
      await send(chunk);
    } catch (error) {
      return { published, error };
    }
    published += chunk.length;
  }
  return { published };
}
