import type { SourceContract } from '#contracts/contract.ts';
import { clearCardOnly, protectRecord, unprotectableCardFields } from '#contracts/protect.ts';
import { type RecordLimits, recordLimits } from '#contracts/record-limits.ts';
import { type CardNumberFinding, scanRecord } from '#contracts/record-scan.ts';
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

/** A record ready to publish: card fields protected, card numbers elsewhere masked and listed. */
export interface PreparedRecord {
  key: string;
  value: string;
  cardNumbers: CardNumberFinding[];
}

/** A refused record comes with its reasons and itself as it may be kept (card numbers masked, card secrets left out). */
export type RecordPreparation = { ok: true; record: PreparedRecord } | { ok: false; reasons: string[]; payload: unknown };

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

/**
 * What ingest (HTTP and file drop) does to one record before publishing it: the envelope,
 * card fields as clear strings only, no card secrets, the record limits; then card fields
 * protected and every other card number masked, so no clear PAN reaches Kafka. A record
 * that breaks a rule is refused with every reason at once; it fails no other record.
 */
export function prepareRecord(contract: SourceContract, record: unknown, options: { tokenKey: string; limits: RecordLimits }): RecordPreparation {
  const { limits, tokenKey } = options;
  const envelope = envelopeProblem(contract, record);
  if (envelope) return { ok: false, reasons: [envelope], payload: scanRecord(record, contract, limits, tokenKey).value };
  const fields = record as Record<string, unknown>;
  const reasons = unprotectableCardFields(contract, fields).map((field) => `${field} ${clearCardOnly}`);
  const scan = scanRecord(protectRecord(contract, fields, tokenKey), contract, limits, tokenKey);
  for (const path of scan.secretFields) reasons.push(`${path} is a card verification value or PIN, which is never stored in any form`);
  if (scan.tooDeep) reasons.push(`record is nested deeper than ${limits.maxDepth} levels`);
  if (scan.fields > limits.maxFields) reasons.push(`record has ${scan.fields} fields and array elements; at most ${limits.maxFields} are accepted`);
  if (reasons.length > 0) return { ok: false, reasons, payload: scan.value };
  const value = JSON.stringify(scan.value);
  const bytes = Buffer.byteLength(value);
  if (bytes > limits.maxRecordBytes) {
    return { ok: false, reasons: [`record is ${bytes} bytes once protected; at most ${limits.maxRecordBytes} are accepted`], payload: scan.value };
  }
  // The key from the scanned record: a card number used as a business key is masked there too.
  const key = String((scan.value as Record<string, unknown>)[contract.businessKey]).trim();
  return { ok: true, record: { key, value, cardNumbers: scan.cardNumbers } };
}

/** At most this many findings travel in the card-numbers header; validation needs one to quarantine. */
const maxFindingsInHeader = 10;

/** The Kafka message for a prepared record, stamped with its lineage. */
export function preparedMessage(contract: SourceContract, record: PreparedRecord, stamp: RecordStamp, topicPrefix: string): OutgoingMessage {
  const headers: Record<string, string> = {
    [recordHeaders.eventId]: stamp.eventId,
    [recordHeaders.batchId]: stamp.batchId,
    [recordHeaders.receivedAt]: stamp.receivedAt,
    [recordHeaders.contractVersion]: String(contract.version),
  };
  if (stamp.traceparent) headers[recordHeaders.traceparent] = stamp.traceparent;
  if (stamp.sourceObject) headers[recordHeaders.sourceObject] = stamp.sourceObject;
  if (record.cardNumbers.length > 0) headers[recordHeaders.cardNumbers] = JSON.stringify(record.cardNumbers.slice(0, maxFindingsInHeader));
  return { topic: topicForSource(topicPrefix, contract.source), key: record.key, value: record.value, headers };
}

/** The Kafka message ingest publishes for a record (default limits); throws when ingest would refuse it. */
export function recordMessage(
  contract: SourceContract,
  record: Record<string, unknown>,
  stamp: RecordStamp,
  options: { topicPrefix: string; tokenKey: string },
): OutgoingMessage {
  const prepared = prepareRecord(contract, record, { tokenKey: options.tokenKey, limits: recordLimits() });
  if (!prepared.ok) throw new RangeError(`record ${stamp.eventId} would be refused: ${prepared.reasons.join('; ')}`);
  return preparedMessage(contract, prepared.record, stamp, options.topicPrefix);
}
