import type { SourceContract } from '#contracts/contract.ts';
import { findContract } from '#contracts/registry.ts';
import { deterministicUuid } from '#lib/ids.ts';
import { type OutgoingMessage, recordMessage } from '#lib/record-messages.ts';
import { buildKafkaEvent, type ConsumedRecord, type KafkaEventSource } from '@ledgerflow/lambda-runtime';
import type { KafkaEvent } from '../../functions/validate/kafka-event.ts';
import { generateSample, type SampleOptions } from '../../tools/sample-data/generate-sample.ts';

/** Benchmarks share the sample generator of the demo and the tests; these shape its output. */

export const benchTokenKey = 'bench-card-token-key-0123456789';
export const benchTopicPrefix = 'ingest.';

const filler = 'Settlement reference for the cardholder statement, merchant batch and terminal session. ';

/**
 * Adds a free-text `narrative` field (contracts pass unknown fields through) so the
 * record's JSON is about `targetBytes` long. Records already that long are left alone.
 */
export function padRecord(record: Record<string, unknown>, targetBytes: number, index: number): Record<string, unknown> {
  const base = Buffer.byteLength(JSON.stringify(record));
  const overhead = Buffer.byteLength(',"narrative":""');
  const room = targetBytes - base - overhead;
  if (room <= 0) return record;
  const prefix = `#${index} `;
  const text = (prefix + filler.repeat(Math.ceil(room / filler.length) + 1)).slice(0, room);
  return { ...record, narrative: text };
}

export interface SampleRecordsOptions {
  count: number;
  /** Approximate JSON size of each record; 0 keeps the generator's own size. */
  recordBytes: number;
  seed?: number;
  /**
   * "mixed": the generator's default mix of updates, late versions, deletes, duplicates
   * and invalid records; "new": only first versions of distinct entities (the
   * generator's cost is linear in this mode, so it scales to millions).
   */
  mix: 'mixed' | 'new';
}

/** Transactions from the generator, padded to the requested size. */
export function transactionRecords(options: SampleRecordsOptions): Record<string, unknown>[] {
  const sampleOptions: SampleOptions = { source: 'transactions', count: options.count, seed: options.seed ?? 42 };
  if (options.mix === 'new') Object.assign(sampleOptions, { invalidRate: 0, updateRate: 0, lateRate: 0, deleteRate: 0, duplicateRate: 0 });
  return generateSample(sampleOptions).map(({ record }, index) => {
    if (options.recordBytes <= 0) return record;
    const growth = typeof record.cardNumber === 'string' ? protectedCardGrowth : 0;
    return padRecord(record, options.recordBytes - growth, index);
  });
}

/** A clear 16-digit card number grows by this many bytes once protected ({masked, token, luhnValid, seal}). */
const protectedCardGrowth = 128;

export function transactionsContract(): SourceContract {
  return findContract('transactions')!;
}

/** The Kafka messages ingest would publish for these records (card numbers protected, headers stamped). */
export function ingestMessages(records: Record<string, unknown>[], batchSize = 100): OutgoingMessage[] {
  const contract = transactionsContract();
  const receivedAt = '2026-03-01T12:00:00.000Z';
  return records.map((record, index) => {
    const batchId = deterministicUuid('bench', String(Math.floor(index / batchSize)));
    return recordMessage(
      contract,
      record,
      { eventId: deterministicUuid(batchId, String(index % batchSize)), batchId, receivedAt, traceparent: `00-${'0'.repeat(31)}1-${'0'.repeat(15)}1-01` },
      { topicPrefix: benchTopicPrefix, tokenKey: benchTokenKey },
    );
  });
}

/** Kafka's own partitioner is murmur2; any stable hash spreads keys the same way for a benchmark. */
function partitionOf(key: string, partitions: number): number {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (Math.imul(hash, 31) + key.charCodeAt(i)) | 0;
  return Math.abs(hash) % partitions;
}

/**
 * The event Lambda delivers for an Amazon MSK event source ("aws:kafka"), built by the
 * runtime's own encoder from the messages as a consumer would read them.
 */
export function mskEvent(messages: OutgoingMessage[], partitions = 3, firstOffset = 1000): KafkaEvent {
  const nextOffset = new Map<number, number>();
  const timestamp = Date.parse('2026-03-01T12:00:00.000Z');
  const records: ConsumedRecord[] = messages.map((message) => {
    const partition = partitionOf(message.key, partitions);
    const offset = nextOffset.get(partition) ?? firstOffset;
    nextOffset.set(partition, offset + 1);
    return {
      topic: message.topic,
      partition,
      offset: BigInt(offset),
      timestamp,
      timestampType: 'CREATE_TIME',
      key: Buffer.from(message.key),
      value: Buffer.from(message.value),
      headers: Object.entries(message.headers).map(([name, value]) => [Buffer.from(name), Buffer.from(value)]),
    };
  });
  const source: KafkaEventSource = { kind: 'msk', eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/ledgerflow/a1b2c3d4-5678-90ab-cdef-11111EXAMPLE-1', bootstrapServers: ['127.0.0.1:9092'] };
  return buildKafkaEvent(records, source) as unknown as KafkaEvent;
}

/** Average byte length of the messages' values (what "~1 KB records" refers to). */
export const averageValueBytes = (messages: OutgoingMessage[]) =>
  Math.round(messages.reduce((sum, message) => sum + Buffer.byteLength(message.value), 0) / Math.max(messages.length, 1));
