import { type BatchVerdict, batchItemFailures } from '../batch-processor.ts';
import type { ShardRecord } from './kinesis-event.ts';

/**
 * Reads a Kinesis partial batch response (`{"batchItemFailures":[{"itemIdentifier":
 * "<sequenceNumber>"}]}`). Lambda checkpoints before the lowest failed sequence number
 * and retries from it: that record and every later one. An empty or null list is success;
 * an empty, null or unknown identifier fails the whole batch.
 */
export function readKinesisBatchResponse<R extends ShardRecord>(result: unknown, records: R[], reportBatchItemFailures: boolean): BatchVerdict<R> {
  const listed = batchItemFailures(result, reportBatchItemFailures);
  if (listed.kind !== 'listed') return listed;
  let lowest: bigint | undefined;
  for (const failure of listed.failures) {
    const identifier = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof identifier !== 'string' || !/^\d+$/.test(identifier)) return { kind: 'failure', reason: `invalid itemIdentifier ${JSON.stringify(identifier ?? null)}` };
    if (!records.some((record) => record.sequenceNumber === identifier)) return { kind: 'failure', reason: `itemIdentifier ${identifier} is not a record of the batch` };
    const value = BigInt(identifier);
    if (lowest === undefined || value < lowest) lowest = value;
  }
  const from = lowest!;
  return {
    kind: 'partial',
    succeeded: records.filter((record) => BigInt(record.sequenceNumber) < from),
    failed: records.filter((record) => BigInt(record.sequenceNumber) >= from),
  };
}
