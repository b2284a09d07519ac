import type { SourceContract } from '#contracts/contract.ts';
import { protectRecord } from '#contracts/protect.ts';
import { RequestError } from '#lib/errors.ts';
import { recordHeaders, topicForSource } from '#lib/topics.ts';

export interface BatchStamp {
  batchId: string;
  receivedAt: string;
  traceparent?: string;
  contractVersion: number;
}

export interface OutgoingMessage {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface PreparedBatch {
  messages: OutgoingMessage[];
  eventIds: string[];
}

export interface BatchLimits {
  maxRecords: number;
}

/**
 * Checks the envelope of every record (an object carrying its business key) and turns
 * the batch into Kafka messages keyed by business key. Records are not validated
 * against the contract here: that is the validation stage's work, and a record that
 * fails it is quarantined, not refused. Card numbers are protected before anything
 * leaves this function.
 */
export function prepareBatch(
  contract: SourceContract,
  records: unknown[],
  stamp: BatchStamp,
  options: { topicPrefix: string; tokenKey: string; limits: BatchLimits; newEventId: () => string },
): PreparedBatch {
  if (records.length === 0) throw new RequestError(400, 'NO_RECORDS', 'the batch holds no records');
  if (records.length > options.limits.maxRecords) {
    throw new RequestError(413, 'TOO_MANY_RECORDS', `the batch holds ${records.length} records; at most ${options.limits.maxRecords} are accepted per request`);
  }
  const problems: { index: number; reason: string }[] = [];
  records.forEach((record, index) => {
    const problem = envelopeProblem(contract, record);
    if (problem) problems.push({ index, reason: problem });
  });
  if (problems.length > 0) {
    throw new RequestError(422, 'INVALID_RECORDS', `${problems.length} of ${records.length} records are not acceptable; nothing was published`, {
      records: problems.slice(0, 100),
    });
  }

  const topic = topicForSource(options.topicPrefix, contract.source);
  const eventIds: string[] = [];
  const messages = (records as Record<string, unknown>[]).map((record) => {
    const eventId = options.newEventId();
    eventIds.push(eventId);
    const headers: Record<string, string> = {
      [recordHeaders.eventId]: eventId,
      [recordHeaders.batchId]: stamp.batchId,
      [recordHeaders.receivedAt]: stamp.receivedAt,
      [recordHeaders.contractVersion]: String(stamp.contractVersion),
    };
    if (stamp.traceparent) headers[recordHeaders.traceparent] = stamp.traceparent;
    return {
      topic,
      key: String(record[contract.businessKey]).trim(),
      value: JSON.stringify(protectRecord(contract, record, options.tokenKey)),
      headers,
    };
  });
  return { messages, eventIds };
}

function envelopeProblem(contract: SourceContract, record: unknown): string | undefined {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return 'record must be a JSON object';
  const key = (record as Record<string, unknown>)[contract.businessKey];
  if (typeof key !== 'string' || key.trim() === '') return `record must carry its business key "${contract.businessKey}" as a non-empty string`;
  return undefined;
}
