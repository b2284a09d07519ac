import { describe, expect, it } from 'vitest';
import { averageValueBytes, ingestMessages, mskEvent, padRecord, transactionRecords } from '../../../bench/lib/sample.ts';
import { kafkaEventSchema } from '../../../functions/validate/kafka-event.ts';

describe('padRecord', () => {
  it('adds a narrative so the JSON is the requested size', () => {
    const padded = padRecord({ transactionId: 'TX-1' }, 500, 7);
    expect(Buffer.byteLength(JSON.stringify(padded))).toBe(500);
    expect(String(padded.narrative)).toMatch(/^#7 /);
  });

  it('leaves a record that is already large enough alone', () => {
    const record = { transactionId: 'TX-1', note: 'x'.repeat(600) };
    expect(padRecord(record, 500, 0)).toBe(record);
  });
});

describe('benchmark samples', () => {
  it('are deterministic generator records of about the requested size once ingest has protected them', () => {
    const first = transactionRecords({ count: 50, recordBytes: 1024, mix: 'mixed' });
    expect(transactionRecords({ count: 50, recordBytes: 1024, mix: 'mixed' })).toEqual(first);
    const messages = ingestMessages(first);
    expect(Math.abs(averageValueBytes(messages) - 1024)).toBeLessThan(16);
    expect(messages.every((message) => !/\d{13,19}/.test(message.value))).toBe(true);
  });

  it('"new" holds only distinct entities', () => {
    const records = transactionRecords({ count: 200, recordBytes: 0, mix: 'new' });
    expect(new Set(records.map((record) => record.transactionId)).size).toBe(200);
  });
});

describe('mskEvent', () => {
  it('is an event validation accepts, grouped by topic-partition with increasing offsets', () => {
    const messages = ingestMessages(transactionRecords({ count: 30, recordBytes: 0, mix: 'new' }));
    const event = mskEvent(messages, 3, 100);
    expect(kafkaEventSchema.safeParse(event).success).toBe(true);
    const groups = Object.entries(event.records);
    expect(groups.reduce((sum, [, records]) => sum + records.length, 0)).toBe(30);
    for (const [name, records] of groups) {
      expect(name).toBe(`ingest.transactions-${records[0]!.partition}`);
      expect(records.map((record) => record.offset)).toEqual(records.map((_, index) => 100 + index));
    }
  });

  it('carries each value base64-encoded and each header as bytes', () => {
    const [message] = ingestMessages(transactionRecords({ count: 1, recordBytes: 0, mix: 'new' }));
    const record = Object.values(mskEvent([message!]).records)[0]![0]!;
    expect(Buffer.from(record.value!, 'base64').toString('utf8')).toBe(message!.value);
    const eventId = record.headers.find((header) => 'event-id' in header)!['event-id']!;
    expect(Buffer.from(eventId).toString('utf8')).toBe(message!.headers['event-id']);
  });
});
