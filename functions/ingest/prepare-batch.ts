import type { SourceContract } from '#contracts/contract.ts';
import { RequestError } from '#lib/errors.ts';
import { envelopeProblem, type OutgoingMessage, recordMessage } from '#lib/record-messages.ts';

export interface BatchStamp {
  batchId: string;
  receivedAt: string;
  traceparent?: string;
}

export interface PreparedBatch {
  messages: OutgoingMessage[];
  eventIds: string[];
}

/**
 * Checks the envelope of every record and turns the batch into Kafka messages keyed by
 * business key. One bad envelope refuses the whole request, so nothing of it is
 * published; contract rules are checked later and only quarantine the record.
 */
export function prepareBatch(
  contract: SourceContract,
  records: unknown[],
  stamp: BatchStamp,
  options: { topicPrefix: string; tokenKey: string; maxRecords: number; eventIdFor: (index: number) => string },
): PreparedBatch {
  if (records.length === 0) throw new RequestError(400, 'NO_RECORDS', 'the batch holds no records');
  if (records.length > options.maxRecords) {
    throw new RequestError(413, 'TOO_MANY_RECORDS', `the batch holds ${records.length} records; at most ${options.maxRecords} are accepted per request`);
  }
  const problems = records.flatMap((record, index) => {
    const reason = envelopeProblem(contract, record);
    return reason ? [{ index, reason }] : [];
  });
  if (problems.length > 0) {
    throw new RequestError(422, 'INVALID_RECORDS', `${problems.length} of ${records.length} records are not acceptable; nothing was published`, {
      records: problems.slice(0, 100),
    });
  }
  const eventIds = records.map((_, index) => options.eventIdFor(index));
  const messages = (records as Record<string, unknown>[]).map((record, index) =>
    recordMessage(contract, record, { ...stamp, eventId: eventIds[index]! }, options),
  );
  return { messages, eventIds };
}
