import { ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';

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
