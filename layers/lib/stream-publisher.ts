import * as z from 'zod';
import { defaultMaxMessageBytes } from '#contracts/record-limits.ts';
import { PublishError } from './errors.ts';
import { kafkaConnectionOptions } from './kafka-security.ts';
import { kafkaSettings } from './kafka-settings.ts';
import { type PutRecordsOptions, kinesisLimits, kinesisSettings, putRecordsDurably } from './kinesis.ts';
import type { OutgoingMessage } from './record-messages.ts';
import { topicSettings } from './topics.ts';

/** The stream of a deployment (template parameter StreamEngine), with the settings of that engine. */
export const streamSettings = z.discriminatedUnion('STREAM_ENGINE', [
  z.object({ STREAM_ENGINE: z.literal('kafka'), ...kafkaSettings.shape, ...topicSettings.shape }),
  z.object({ STREAM_ENGINE: z.literal('kinesis'), ...kinesisSettings.shape }),
]);

export type StreamSettings = z.output<typeof streamSettings>;

/** What ingest and file drop publish through, whichever the engine. */
export interface StreamPublisher {
  engine: StreamSettings['STREAM_ENGINE'];
  /** A source's destination is `<destinationPrefix><source>`: the Kafka topic or the Kinesis stream. */
  destinationPrefix: string;
  /** The largest record the stream takes, framing included; record limits derive from it (record-limits.ts). */
  maxMessageBytes: number;
  /** Resolves once every message is durable in the stream; throws (PublishError) when any is not. */
  publish(messages: OutgoingMessage[]): Promise<void>;
}

/**
 * Built once per instance, at module scope. Each engine's client is imported here, when
 * chosen: a bundle keeps the other in a chunk that is never loaded (template.yaml
 * `Splitting`), and the Kafka client alone is about 400 KB of a bundle.
 */
export async function createStreamPublisher(settings: StreamSettings, clientId: string): Promise<StreamPublisher> {
  if (settings.STREAM_ENGINE === 'kafka') {
    const { createRecordProducer } = await import('./kafka.ts');
    const producer = createRecordProducer({ clientId, brokers: settings.KAFKA_BROKERS, connection: kafkaConnectionOptions(settings) });
    return {
      engine: 'kafka',
      destinationPrefix: settings.TOPIC_PREFIX,
      maxMessageBytes: settings.KAFKA_MAX_MESSAGE_BYTES,
      publish: async (messages) => void (await producer.send({ messages })),
    };
  }
  const { createKinesisClient, putRecordsSender } = await import('./kinesis-client.ts');
  const send = putRecordsSender(createKinesisClient({ endpoint: settings.KINESIS_ENDPOINT || undefined }));
  return {
    engine: 'kinesis',
    destinationPrefix: settings.KINESIS_STREAM_PREFIX,
    maxMessageBytes: Math.min(defaultMaxMessageBytes, kinesisLimits.bytesPerRecord),
    publish: (messages) => publishToKinesis(send, messages),
  };
}

/** Every message into its stream (the message's topic); throws naming how many are not durable and why. */
export async function publishToKinesis(send: Parameters<typeof putRecordsDurably>[0], messages: OutgoingMessage[], options?: PutRecordsOptions): Promise<void> {
  const byStream = new Map<string, OutgoingMessage[]>();
  for (const message of messages) {
    const group = byStream.get(message.topic);
    if (group) group.push(message);
    else byStream.set(message.topic, [message]);
  }
  for (const [stream, streamMessages] of byStream) {
    const outcomes = await putRecordsDurably(send, stream, streamMessages, options);
    const failed = outcomes.flatMap((outcome) => (outcome.durable ? [] : [outcome.errorCode]));
    if (failed.length > 0) {
      const codes = [...new Set(failed)].join(', ');
      throw new PublishError(`${failed.length} of ${streamMessages.length} records are not durable in Kinesis stream ${stream} (${codes})`);
    }
  }
}
