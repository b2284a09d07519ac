import * as z from 'zod';
import { defaultMaxMessageBytes } from '#contracts/record-limits.ts';
import { commaList } from './config.ts';
import { kafkaSecuritySettings } from './kafka-security.ts';

// Apart from the producer (kafka.ts), so a function reads its settings without loading the
// Kafka client, which stream-publisher.ts imports only for a Kafka deployment.
export const kafkaSettings = z.object({
  KAFKA_BROKERS: commaList,
  /** The brokers' `message.max.bytes`: a record must fit in one message (record-limits.ts). */
  KAFKA_MAX_MESSAGE_BYTES: z.coerce.number().int().min(64 * 1024).default(defaultMaxMessageBytes),
  ...kafkaSecuritySettings.shape,
});
