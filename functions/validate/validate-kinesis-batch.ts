import type { SourceContract } from '#contracts/contract.ts';
import { type SequenceRange, kinesisLandingObjectKey, kinesisQuarantineObjectKey } from '#contracts/lake.ts';
import type { LandingLine, QuarantineLine } from '#contracts/lake-lines.ts';
import { streamNameOfArn } from '#lib/kinesis.ts';
import { decodeStreamEnvelope } from '#lib/stream-envelope.ts';
import { sourceForTopic } from '#lib/topics.ts';
import { decodeValue } from './kafka-event.ts';
import { type KinesisEvent, type KinesisRecord, shardIdOf, shardNumber } from './kinesis-event.ts';
import { type BatchObject, type StreamRecord, type ValidatedBatch, validateStreamRecord } from './validate-batch.ts';

export interface KinesisValidateSettings {
  /** Each source's stream is `<streamPrefix><source>`. */
  streamPrefix: string;
  cardTokenKey: string;
  findContract: (source: string) => SourceContract | undefined;
}

/** The records of one shard in a batch and the objects they became; a failed write retries from `firstSequenceNumber`. */
export interface ShardObjects {
  firstSequenceNumber: string;
  objects: BatchObject[];
}

/**
 * Validates a Kinesis batch and lays it out as lake objects, as validateBatch does for
 * Kafka: per shard (Lambda sends one shard per batch), one landing object and one
 * quarantine object, keyed by stream, shard and first and last sequence numbers.
 */
export function validateKinesisBatch(event: KinesisEvent, settings: KinesisValidateSettings): ValidatedBatch & { shards: ShardObjects[] } {
  const shards: ShardObjects[] = [];
  const tokenised: ValidatedBatch['tokenised'] = [];
  let valid = 0;
  let invalid = 0;
  for (const records of groupByShard(event.Records)) {
    const first = records[0]!;
    const stream = streamNameOfArn(first.eventSourceARN);
    const shardId = shardIdOf(first);
    const source = sourceForTopic(settings.streamPrefix, stream) ?? stream;
    const contract = settings.findContract(source);
    const landing: LandingLine[] = [];
    const quarantine: QuarantineLine[] = [];
    for (const record of records) {
      const outcome = validateStreamRecord(kinesisStreamRecord(record, stream, shardId), source, contract, settings.cardTokenKey);
      if ('reasons' in outcome) quarantine.push(outcome);
      else {
        landing.push(outcome.line);
        if (outcome.tokenised.length > 0) tokenised.push({ eventId: outcome.line.eventId, paths: outcome.tokenised });
      }
    }
    const range = sequenceRange(records, stream, shardId);
    const objects: BatchObject[] = [];
    if (landing.length > 0) objects.push({ key: kinesisLandingObjectKey(source, range), lines: landing });
    if (quarantine.length > 0) objects.push({ key: kinesisQuarantineObjectKey(source, range), lines: quarantine });
    shards.push({ firstSequenceNumber: range.firstSequenceNumber, objects });
    valid += landing.length;
    invalid += quarantine.length;
  }
  return { objects: shards.flatMap((shard) => shard.objects), valid, invalid, tokenised, shards };
}

/** A record's data: the ingest envelope's headers and value, or a bare value without headers. */
function kinesisStreamRecord(record: KinesisRecord, stream: string, shardId: string): StreamRecord {
  const position = {
    topic: stream,
    partition: shardNumber(shardId),
    offset: null,
    kafkaTimestamp: Math.round(record.kinesis.approximateArrivalTimestamp * 1000),
    sequenceNumber: record.kinesis.sequenceNumber,
  };
  const decoded = decodeValue(record.kinesis.data);
  if (!decoded.ok || decoded.text === undefined) return { position, headers: {}, value: decoded };
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded.text);
  } catch {
    // Not JSON: validation quarantines it as such.
    return { position, headers: {}, value: decoded };
  }
  const { headers, value } = decodeStreamEnvelope(parsed);
  return { position, headers, value: { ok: true, text: decoded.text, parsed: { value } } };
}

function groupByShard(records: KinesisRecord[]): KinesisRecord[][] {
  const shards = new Map<string, KinesisRecord[]>();
  for (const record of records) {
    const id = `${record.eventSourceARN} ${shardIdOf(record)}`;
    const shard = shards.get(id);
    if (shard) shard.push(record);
    else shards.set(id, [record]);
  }
  return [...shards.values()];
}

function sequenceRange(records: KinesisRecord[], stream: string, shardId: string): SequenceRange {
  let first = BigInt(records[0]!.kinesis.sequenceNumber);
  let last = first;
  for (const record of records) {
    const sequenceNumber = BigInt(record.kinesis.sequenceNumber);
    if (sequenceNumber < first) first = sequenceNumber;
    if (sequenceNumber > last) last = sequenceNumber;
  }
  return { stream, shardId, firstSequenceNumber: String(first), lastSequenceNumber: String(last) };
}
