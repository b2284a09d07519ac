import { ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import * as z from 'zod';
import { defaultMaxMessageBytes } from '#contracts/record-limits.ts';
import { commaList } from './config.ts';

export const kafkaSettings = z.object({
  KAFKA_BROKERS: commaList,
  /** The brokers' `message.max.bytes`: a record must fit in one message (record-limits.ts). */
  KAFKA_MAX_MESSAGE_BYTES: z.coerce.number().int().min(64 * 1024).default(defaultMaxMessageBytes),
});

export type RecordProducer = Producer<string, string, string, string>;

/**
 * An idempotent producer that waits for every in-sync replica (acks=all): a 202 from
 * ingest means the records are durable in Kafka, and a retried send never duplicates.
 */
export function createRecordProducer(options: { clientId: string; brokers: string[] }): RecordProducer {
  return new Producer({
    clientId: options.clientId,
    bootstrapBrokers: options.brokers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    serializers: stringSerializers,
    retries: 3,
    timeout: 10_000,
  });
}
