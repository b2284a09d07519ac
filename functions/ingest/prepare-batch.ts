import type { SourceContract } from '#contracts/contract.ts';
import type { RecordLimits } from '#contracts/record-limits.ts';
import { RequestError } from '#lib/errors.ts';
import { type OutgoingMessage, type PreparedRecord, prepareRecord, preparedMessage } from '#lib/record-messages.ts';

export interface BatchStamp {
  batchId: string;
  receivedAt: string;
  traceparent?: string;
}

export interface PreparedBatch {
  messages: OutgoingMessage[];
  eventIds: string[];
}

/** At most this many refused records are named in a 422; the count is always exact. */
const maxNamedRecords = 100;

/**
 * Checks every record (envelope, card fields, card secrets, limits: prepareRecord) and
 * turns the batch into Kafka messages keyed by business key. Any refused record refuses
 * the whole request, naming each refused record by index, so nothing of it is published;
 * contract rules are checked later and only quarantine the record.
 */
export function prepareBatch(
  contract: SourceContract,
  records: unknown[],
  stamp: BatchStamp,
  options: { topicPrefix: string; tokenKey: string; maxRecords: number; limits: RecordLimits; eventIdFor: (index: number) => string },
): PreparedBatch {
  if (records.length === 0) throw new RequestError(400, 'NO_RECORDS', 'the batch holds no records');
  if (records.length > options.maxRecords) {
    throw new RequestError(413, 'TOO_MANY_RECORDS', `the batch holds ${records.length} records; at most ${options.maxRecords} are accepted per request`);
  }
  const prepared: PreparedRecord[] = [];
  const problems: { index: number; reason: string }[] = [];
  records.forEach((record, index) => {
    const preparation = prepareRecord(contract, record, { tokenKey: options.tokenKey, limits: options.limits });
    if (preparation.ok) prepared.push(preparation.record);
    else problems.push({ index, reason: preparation.reasons.join('; ') });
  });
  if (problems.length > 0) {
    throw new RequestError(422, 'INVALID_RECORDS', `${problems.length} of ${records.length} records are not acceptable; nothing was published`, {
      records: problems.slice(0, maxNamedRecords),
    });
  }
  const eventIds = records.map((_, index) => options.eventIdFor(index));
  const messages = prepared.map((record, index) => preparedMessage(contract, record, { ...stamp, eventId: eventIds[index]! }, options.topicPrefix));
  return { messages, eventIds };
}
