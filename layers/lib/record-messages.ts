import type { SourceContract } from '#contracts/contract.ts';
import { protectRecord } from '#contracts/protect.ts';
import { recordHeaders, topicForSource } from './topics.ts';

/** What every record carries from the point it entered the platform. */
export interface RecordStamp {
  eventId: string;
  batchId: string;
  receivedAt: string;
  traceparent?: string;
  /** The dropped file a record was read from, for file-drop ingestion. */
  sourceObject?: string;
}

export interface OutgoingMessage {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

/**
 * The envelope every entry path checks before publishing: a JSON object carrying its
 * business key. The contract itself is checked later, by validation.
 */
export function envelopeProblem(contract: SourceContract, record: unknown): string | undefined {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return 'record must be a JSON object';
  const key = (record as Record<string, unknown>)[contract.businessKey];
  if (typeof key !== 'string' || key.trim() === '') return `record must carry its business key "${contract.businessKey}" as a non-empty string`;
  return undefined;
}

/** The Kafka message for a record that passed the envelope check; card numbers protected. */
export function recordMessage(
  contract: SourceContract,
  record: Record<string, unknown>,
  stamp: RecordStamp,
  options: { topicPrefix: string; tokenKey: string },
): OutgoingMessage {
  const headers: Record<string, string> = {
    [recordHeaders.eventId]: stamp.eventId,
    [recordHeaders.batchId]: stamp.batchId,
    [recordHeaders.receivedAt]: stamp.receivedAt,
    [recordHeaders.contractVersion]: String(contract.version),
  };
  if (stamp.traceparent) headers[recordHeaders.traceparent] = stamp.traceparent;
  if (stamp.sourceObject) headers[recordHeaders.sourceObject] = stamp.sourceObject;
  return {
    topic: topicForSource(options.topicPrefix, contract.source),
    key: String(record[contract.businessKey]).trim(),
    value: JSON.stringify(protectRecord(contract, record, options.tokenKey)),
    headers,
  };
}
