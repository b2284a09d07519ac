import type { SourceContract } from '#contracts/contract.ts';
import { maskCardNumbersInText } from '#contracts/rules/card.ts';
import { type OffsetRange, landingObjectKey, quarantineObjectKey } from '#lib/lake-layout.ts';
import { recordHeaders, sourceForTopic } from '#lib/topics.ts';
import { type KafkaEvent, type KafkaRecord, decodeBase64, decodeHeaders } from './kafka-event.ts';
import { type RecordProblem, validateRecord } from './validate-record.ts';

/** Where a record came from and how it entered the platform; kept with it in the lake. */
interface Lineage {
  eventId: string | null;
  batchId: string | null;
  receivedAt: string | null;
  traceparent: string | null;
  source: string;
  topic: string;
  partition: number;
  offset: number;
  kafkaTimestamp: number;
}

export interface LandingLine extends Lineage {
  op: 'upsert' | 'delete';
  key: string;
  eventTime: string;
  contractVersion: number;
  record: Record<string, unknown>;
}

export interface QuarantineLine extends Lineage {
  reasons: RecordProblem[];
  payload: unknown;
}

export interface BatchObject {
  key: string;
  lines: (LandingLine | QuarantineLine)[];
}

export interface ValidatedBatch {
  objects: BatchObject[];
  valid: number;
  invalid: number;
}

export interface ValidateSettings {
  topicPrefix: string;
  cardTokenKey: string;
  findContract: (source: string) => SourceContract | undefined;
}

/**
 * Validates a Kafka batch and lays it out as lake objects: per topic-partition, one
 * landing object with the valid records and one quarantine object with the rest.
 * A bad record never fails the batch; it goes to quarantine with its reasons.
 */
export function validateBatch(event: KafkaEvent, settings: ValidateSettings): ValidatedBatch {
  const objects: BatchObject[] = [];
  let valid = 0;
  let invalid = 0;
  for (const records of Object.values(event.records)) {
    if (records.length === 0) continue;
    const first = records[0]!;
    const source = sourceForTopic(settings.topicPrefix, first.topic) ?? first.topic;
    const contract = settings.findContract(source);
    const landing: LandingLine[] = [];
    const quarantine: QuarantineLine[] = [];
    for (const record of records) {
      const outcome = validateKafkaRecord(record, source, contract, settings.cardTokenKey);
      if ('op' in outcome) landing.push(outcome);
      else quarantine.push(outcome);
    }
    const range = offsetRange(records);
    if (landing.length > 0) objects.push({ key: landingObjectKey(source, range), lines: landing });
    if (quarantine.length > 0) objects.push({ key: quarantineObjectKey(source, range), lines: quarantine });
    valid += landing.length;
    invalid += quarantine.length;
  }
  return { objects, valid, invalid };
}

function validateKafkaRecord(
  record: KafkaRecord,
  source: string,
  contract: SourceContract | undefined,
  cardTokenKey: string,
): LandingLine | QuarantineLine {
  const headers = decodeHeaders(record.headers);
  const lineage: Lineage = {
    eventId: headers[recordHeaders.eventId] ?? null,
    batchId: headers[recordHeaders.batchId] ?? null,
    receivedAt: headers[recordHeaders.receivedAt] ?? null,
    traceparent: headers[recordHeaders.traceparent] ?? null,
    source,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    kafkaTimestamp: record.timestamp,
  };
  const text = decodeBase64(record.value);
  if (!contract) {
    return { ...lineage, reasons: [{ path: '', message: `no data contract for source "${source}"` }], payload: maskedText(text) };
  }
  let value: unknown;
  try {
    value = text === undefined ? undefined : JSON.parse(text);
  } catch {
    return { ...lineage, reasons: [{ path: '', message: 'value is not valid JSON' }], payload: maskedText(text) };
  }
  const verdict = validateRecord(contract, value, cardTokenKey);
  if (!verdict.valid) return { ...lineage, reasons: verdict.reasons, payload: verdict.payload };
  // Written out rather than spread: this is the path of nearly every record, and the key order is the lines' field order.
  return {
    eventId: lineage.eventId,
    batchId: lineage.batchId,
    receivedAt: lineage.receivedAt,
    traceparent: lineage.traceparent,
    source: lineage.source,
    topic: lineage.topic,
    partition: lineage.partition,
    offset: lineage.offset,
    kafkaTimestamp: lineage.kafkaTimestamp,
    op: verdict.op,
    key: verdict.key,
    eventTime: verdict.eventTime,
    contractVersion: contract.version,
    record: verdict.record,
  };
}

const maskedText = (text: string | undefined) => (text === undefined ? null : maskCardNumbersInText(text));

function offsetRange(records: KafkaRecord[]): OffsetRange {
  let firstOffset = records[0]!.offset;
  let lastOffset = firstOffset;
  for (const { offset } of records) {
    if (offset < firstOffset) firstOffset = offset;
    if (offset > lastOffset) lastOffset = offset;
  }
  return { topic: records[0]!.topic, partition: records[0]!.partition, firstOffset: String(firstOffset), lastOffset: String(lastOffset) };
}
