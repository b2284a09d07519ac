import { messageHeadroomBytes } from '#contracts/record-limits.ts';
import type { OutgoingMessage } from './record-messages.ts';

/** Bytes of one produce request: the headroom covers the request's own framing. */
export const maxChunkBytes = (maxMessageBytes: number) => maxMessageBytes - messageHeadroomBytes;

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
