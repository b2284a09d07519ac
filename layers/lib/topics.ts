import * as z from 'zod';

export const topicSettings = z.object({ TOPIC_PREFIX: z.string().default('ingest.') });

/** Kafka topic that carries a source's records, e.g. "ingest.claims". */
export const topicForSource = (topicPrefix: string, source: string) => `${topicPrefix}${source}`;

/** The source a topic carries, or undefined when the topic is not one of ours. */
export function sourceForTopic(topicPrefix: string, topic: string): string | undefined {
  return topic.startsWith(topicPrefix) ? topic.slice(topicPrefix.length) : undefined;
}

/** Kafka header names set by ingest and read by validation. */
export const recordHeaders = {
  eventId: 'event-id',
  batchId: 'batch-id',
  receivedAt: 'received-at',
  traceparent: 'traceparent',
  contractVersion: 'contract-version',
  sourceObject: 'source-object',
  /** Card numbers ingest found outside card fields and masked: JSON list of findings (record-scan.ts), no digits. */
  cardNumbers: 'card-numbers',
} as const;
