import type { SourceContract } from '#contracts/contract.ts';
import { maskCardNumbers } from '#contracts/card-data.ts';
import type { CardNumberFinding } from '#contracts/record-scan.ts';
import { type OffsetRange, landingObjectKey, quarantineObjectKey } from '#contracts/lake.ts';
import type { LandingLine, QuarantineLine, kafkaPositionFields, lineageFields, LineOf } from '#contracts/lake-lines.ts';
import { recordHeaders, sourceForTopic } from '#lib/topics.ts';
import { type KafkaEvent, type KafkaRecord, decodeHeaders, decodeValue } from './kafka-event.ts';
import { validateRecord } from './validate-record.ts';

/** Lineage and stream position of a record read from the stream: the first fields of both line formats. */
export type Lineage = LineOf<typeof lineageFields & typeof kafkaPositionFields>;

export interface BatchObject {
  key: string;
  lines: (LandingLine | QuarantineLine)[];
}

export interface ValidatedBatch {
  objects: BatchObject[];
  valid: number;
  invalid: number;
  /** Valid records with a card number tokenised in a long-number field: event id and field paths. */
  tokenised: { eventId: string | null; paths: string[] }[];
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
  const tokenised: ValidatedBatch['tokenised'] = [];
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
      const outcome = validateStreamRecord(kafkaStreamRecord(record), source, contract, settings.cardTokenKey);
      if ('reasons' in outcome) quarantine.push(outcome);
      else {
        landing.push(outcome.line);
        if (outcome.tokenised.length > 0) tokenised.push({ eventId: outcome.line.eventId, paths: outcome.tokenised });
      }
    }
    const range = offsetRange(records);
    if (landing.length > 0) objects.push({ key: landingObjectKey(source, range), lines: landing });
    if (quarantine.length > 0) objects.push({ key: quarantineObjectKey(source, range), lines: quarantine });
    valid += landing.length;
    invalid += quarantine.length;
  }
  return { objects, valid, invalid, tokenised };
}

/** A stream record as validation reads it, Kafka or Kinesis: its lineage headers and its value. */
export interface StreamRecord {
  position: Omit<Lineage, keyof LineOf<typeof lineageFields>>;
  headers: Record<string, string>;
  /** The value's text (undefined for a Kafka tombstone), or its bytes as best read when they are not UTF-8. */
  value: { ok: true; text: string | undefined; parsed?: { value: unknown } } | { ok: false; lossy: string };
}

function kafkaStreamRecord(record: KafkaRecord): StreamRecord {
  return {
    position: { topic: record.topic, partition: record.partition, offset: record.offset, kafkaTimestamp: record.timestamp },
    headers: decodeHeaders(record.headers),
    value: decodeValue(record.value),
  };
}

/**
 * One record's verdict. Nothing about a record's content fails the batch: a value that is
 * not UTF-8 or not JSON, a record the checks cannot get through, goes to quarantine with
 * its reason, masked.
 */
export function validateStreamRecord(
  record: StreamRecord,
  source: string,
  contract: SourceContract | undefined,
  cardTokenKey: string,
): { line: LandingLine; tokenised: string[] } | QuarantineLine {
  const { headers, position } = record;
  const lineage: Lineage = {
    eventId: lineageHeader(headers[recordHeaders.eventId]),
    batchId: lineageHeader(headers[recordHeaders.batchId]),
    receivedAt: lineageHeader(headers[recordHeaders.receivedAt]),
    traceparent: lineageHeader(headers[recordHeaders.traceparent]),
    source,
    ...position,
  };
  const quarantined = (message: string, payload: unknown): QuarantineLine => ({ ...lineage, reasons: [{ path: '', message }], payload });
  const decoded = record.value;
  if (!decoded.ok) return quarantined('value is not valid UTF-8', maskCardNumbers(decoded.lossy));
  const text = decoded.text;
  if (!contract) return quarantined(`no data contract for source "${maskCardNumbers(source)}"`, maskedText(text));
  let value: unknown;
  try {
    value = decoded.parsed ? decoded.parsed.value : text === undefined ? undefined : JSON.parse(text);
  } catch {
    return quarantined('value is not valid JSON', maskedText(text));
  }
  let verdict: ReturnType<typeof validateRecord>;
  try {
    verdict = validateRecord(contract, value, cardTokenKey, ingestFindings(headers[recordHeaders.cardNumbers]));
  } catch (error) {
    return quarantined(`record could not be checked (${(error as Error).name})`, maskedText(text));
  }
  if (!verdict.valid) return { ...lineage, reasons: verdict.reasons, payload: verdict.payload };
  // Written out rather than spread: this is the path of nearly every record, and the key order is the lines' field order.
  const line: LandingLine = {
    eventId: lineage.eventId,
    batchId: lineage.batchId,
    receivedAt: lineage.receivedAt,
    traceparent: lineage.traceparent,
    source: lineage.source,
    topic: lineage.topic,
    partition: lineage.partition,
    offset: lineage.offset,
    kafkaTimestamp: lineage.kafkaTimestamp,
    ...(lineage.sequenceNumber === undefined ? undefined : { sequenceNumber: lineage.sequenceNumber }),
    op: verdict.op,
    key: verdict.key,
    eventTime: verdict.eventTime,
    contractVersion: contract.version,
    record: verdict.record,
  };
  return { line, tokenised: verdict.tokenised };
}

const maskedText = (text: string | undefined) => (text === undefined ? null : maskCardNumbers(text));

/** Lineage headers are set by ingest, but anyone can write to the topic: masked, and cut to a sane length. */
const lineageHeader = (value: string | undefined) => (value === undefined ? null : maskCardNumbers(value.slice(0, 256)));

/** The card numbers ingest found and masked (the card-numbers header); a header that does not parse names one finding. */
function ingestFindings(header: string | undefined): CardNumberFinding[] {
  if (header === undefined) return [];
  try {
    const findings: unknown = JSON.parse(header);
    if (Array.isArray(findings)) {
      return findings.map((finding) => ({
        path: maskCardNumbers(String(finding?.path ?? '')).slice(0, 200),
        brand: String(finding?.brand ?? 'unknown brand').slice(0, 32) as CardNumberFinding['brand'],
        tokenised: finding?.tokenised === true,
      }));
    }
  } catch {
    // Not from ingest: treated as a finding below, the record is quarantined.
  }
  return [{ path: '', brand: 'unknown brand', tokenised: false }];
}

function offsetRange(records: KafkaRecord[]): OffsetRange {
  let firstOffset = records[0]!.offset;
  let lastOffset = firstOffset;
  for (const { offset } of records) {
    if (offset < firstOffset) firstOffset = offset;
    if (offset > lastOffset) lastOffset = offset;
  }
  return { topic: records[0]!.topic, partition: records[0]!.partition, firstOffset: String(firstOffset), lastOffset: String(lastOffset) };
}
