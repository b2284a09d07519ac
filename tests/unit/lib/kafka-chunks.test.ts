import { describe, expect, it } from 'vitest';
import { chunkMessages, messageBytes, publishInChunks } from '#lib/publish-chunks.ts';
import type { OutgoingMessage } from '#lib/record-messages.ts';

const message = (key: string, valueBytes: number): OutgoingMessage => ({ topic: 't', key, value: 'v'.repeat(valueBytes), headers: { 'event-id': key } });

describe('produce requests within the broker limit', () => {
  it('counts key, value, headers and framing in UTF-8 bytes', () => {
    const sized = { topic: 't', key: 'é', value: '€', headers: { h: 'ü' } };
    expect(messageBytes(sized)).toBe(64 + 2 + 3 + 1 + 2);
  });

  it('groups consecutive messages up to the limit and sends a larger one alone', () => {
    const messages = [message('a', 400), message('b', 400), message('c', 2000), message('d', 100)];
    const limit = messageBytes(messages[0]!) * 2;
    expect(chunkMessages(messages, limit).map((chunk) => chunk.map((m) => m.key))).toEqual([['a', 'b'], ['c'], ['d']]);
    expect(chunkMessages([], limit)).toEqual([]);
  });

  it('reports the durable prefix and the error of the first refused request', async () => {
    const messages = ['a', 'b', 'c'].map((key) => message(key, 10));
    const refused = new Error('NOT_ENOUGH_REPLICAS');
    const sent: string[][] = [];
    const outcome = await publishInChunks(messages, async (chunk) => {
      sent.push(chunk.map((m) => m.key));
      if (chunk[0]!.key === 'b') throw refused;
    }, messageBytes(messages[0]!));
    expect(outcome).toEqual({ published: 1, error: refused });
    expect(sent).toEqual([['a'], ['b']]);
  });
});
