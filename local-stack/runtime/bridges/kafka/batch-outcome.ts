import { type BatchVerdict, batchItemFailures } from '../batch-processor.ts';
import type { ConsumedRecord } from './kafka-event.ts';

/**
 * Reads a Kafka partial batch response (`{"batchItemFailures":[{"itemIdentifier":
 * {"partition":"topic-partition","offset":n}}]}`). Per partition, the lowest failed offset
 * and everything after it are retried; earlier records count as processed. An empty or
 * null list is success; an identifier that names no record of the batch fails the batch.
 */
export function readBatchResponse<R extends ConsumedRecord>(result: unknown, records: R[], reportBatchItemFailures: boolean): BatchVerdict<R> {
  const listed = batchItemFailures(result, reportBatchItemFailures);
  if (listed.kind !== 'listed') return listed;
  const lowest = new Map<string, bigint>();
  for (const failure of listed.failures) {
    const identifier = (failure as { itemIdentifier?: { partition?: unknown; offset?: unknown } } | null)?.itemIdentifier;
    const partition = identifier?.partition;
    const offset = identifier?.offset;
    if (typeof partition !== 'string' || (typeof offset !== 'number' && typeof offset !== 'string') || `${offset}`.trim() === '') {
      return { kind: 'failure', reason: `invalid itemIdentifier ${JSON.stringify(identifier ?? null)}` };
    }
    const value = BigInt(offset);
    if (!records.some((record) => `${record.topic}-${record.partition}` === partition && record.offset === value)) {
      return { kind: 'failure', reason: `itemIdentifier ${partition}@${value} is not a record of the batch` };
    }
    const current = lowest.get(partition);
    if (current === undefined || value < current) lowest.set(partition, value);
  }
  const succeeded: R[] = [];
  const failed: R[] = [];
  for (const record of records) {
    const from = lowest.get(`${record.topic}-${record.partition}`);
    (from !== undefined && record.offset >= from ? failed : succeeded).push(record);
  }
  return { kind: 'partial', succeeded, failed };
}

/** The offsets to commit after `records` were processed: next offset per partition. */
export function commitOffsets(records: ConsumedRecord[]): { topic: string; partition: number; offset: bigint }[] {
  const next = new Map<string, { topic: string; partition: number; offset: bigint }>();
  for (const record of records) {
    const key = `${record.topic}-${record.partition}`;
    const current = next.get(key);
    if (!current || record.offset + 1n > current.offset) next.set(key, { topic: record.topic, partition: record.partition, offset: record.offset + 1n });
  }
  return [...next.values()];
}
