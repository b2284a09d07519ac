import { ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import type { KafkaConnectionOptions } from './kafka-security.ts';

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
