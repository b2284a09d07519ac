import { type Consumer, MessagesStreamModes } from '@platformatic/kafka';

export interface ReadMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/**
 * The first message of a topic, read from its start without committing: a test's check that
 * a listener of the stack delivers what was produced, key, value and headers unchanged.
 */
export async function readFirstMessage(consumer: Consumer<string, string, string, string>, topic: string): Promise<ReadMessage | undefined> {
  const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false });
  try {
    for await (const message of stream) return { key: message.key, value: message.value, headers: Object.fromEntries(message.headers) };
    return undefined;
  } finally {
    await stream.close();
  }
}
