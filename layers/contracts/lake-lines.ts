/**
 * Line formats of the lake's NDJSON objects, as typed descriptions: the TypeScript
 * writers (validate, file drop) take their line types from them, and the Spark jobs
 * build their read schemas from the exported copy, so a field renamed here breaks both.
 */

/** How a field is written in JSON. `object` and `any` values are read by Spark as JSON text. */
export type LineFieldType = 'string' | 'int' | 'bigint' | 'object' | 'any' | 'array';

export interface LineField {
  readonly type: LineFieldType;
  readonly description: string;
  /** The value may be null. */
  readonly nullable?: boolean;
  /** The field may be absent. */
  readonly optional?: boolean;
  /** The closed set of values of a string field. */
  readonly values?: readonly string[];
  /** Fields of each element of an `array` field. */
  readonly items?: LineFields;
}

export type LineFields = Readonly<Record<string, LineField>>;

type BaseValue<F extends LineField> = F extends { values: readonly (infer V)[] }
  ? V
  : F extends { type: 'array'; items: infer I extends LineFields }
    ? LineOf<I>[]
    : F['type'] extends 'string'
      ? string
      : F['type'] extends 'int' | 'bigint'
        ? number
        : F['type'] extends 'object'
          ? Record<string, unknown>
          : unknown;

type ValueOf<F extends LineField> = F extends { nullable: true } ? BaseValue<F> | null : BaseValue<F>;

/** The TypeScript type of a line described by `Fields`. */
export type LineOf<Fields extends LineFields> = {
  [K in keyof Fields as Fields[K] extends { optional: true } ? never : K]: ValueOf<Fields[K]>;
} & {
  [K in keyof Fields as Fields[K] extends { optional: true } ? K : never]?: ValueOf<Fields[K]>;
};

/** Where a record came from and how it entered the platform; kept with it in the lake. */
export const lineageFields = {
  eventId: { type: 'string', nullable: true, description: 'Event id stamped at ingest; null when a producer wrote to the topic directly' },
  batchId: { type: 'string', nullable: true, description: 'Ingest batch (request or dropped file) the record arrived in' },
  receivedAt: { type: 'string', nullable: true, description: 'When ingest received the record, RFC 3339 in UTC' },
  traceparent: { type: 'string', nullable: true, description: 'W3C trace context of the ingest request' },
  source: { type: 'string', description: 'Source of the data contract' },
} as const satisfies LineFields;

/**
 * Where a record was read from the stream. A Kinesis record fills the same fields (stream,
 * shard number, arrival time) and its sequenceNumber, which does not fit a bigint, in
 * place of the offset.
 */
export const kafkaPositionFields = {
  topic: { type: 'string', description: 'Kafka topic or Kinesis stream the record was read from' },
  partition: { type: 'int', description: 'Partition of the topic, or the number of the Kinesis shard' },
  offset: { type: 'bigint', nullable: true, description: 'Offset in the partition; null for a record read from Kinesis (see sequenceNumber)' },
  kafkaTimestamp: { type: 'bigint', description: 'Timestamp of the stream record (Kinesis: its approximate arrival), epoch milliseconds' },
  sequenceNumber: { type: 'string', optional: true, description: 'Sequence number in the Kinesis shard; only in lines of records read from Kinesis' },
} as const satisfies LineFields;

/** One line of a landing object: a valid record, normalised, with its lineage. */
export const landingLineFields = {
  ...lineageFields,
  ...kafkaPositionFields,
  op: { type: 'string', values: ['upsert', 'delete'], description: 'A delete carries only the business key and the event time' },
  key: { type: 'string', description: "Value of the contract's business key" },
  eventTime: { type: 'string', description: "Value of the contract's event-time field, RFC 3339 in UTC; orders versions of one entity" },
  contractVersion: { type: 'int', description: 'Version of the data contract the record was validated against' },
  record: { type: 'object', description: 'The normalised record: money as decimal strings, card numbers protected' },
} as const satisfies LineFields;

/** Why a record was rejected: the field's path (empty for the whole record) and the rule it broke. */
export const quarantineReasonFields = {
  path: { type: 'string', description: 'Dotted path of the field at fault; empty for the whole record' },
  message: { type: 'string', description: 'The rule the value broke' },
} as const satisfies LineFields;

/** One line of a quarantine object: a rejected record with its reasons. */
export const quarantineLineFields = {
  ...lineageFields,
  topic: { ...kafkaPositionFields.topic, nullable: true, description: 'Topic the record was read from; null for a line of a dropped file' },
  partition: { ...kafkaPositionFields.partition, nullable: true, description: 'Partition of the topic; null for a line of a dropped file' },
  offset: { ...kafkaPositionFields.offset, description: 'Offset in the partition; null for a line of a dropped file or a record read from Kinesis' },
  kafkaTimestamp: { ...kafkaPositionFields.kafkaTimestamp, nullable: true, description: 'Timestamp of the stream record, epoch milliseconds; null for a line of a dropped file' },
  sequenceNumber: kafkaPositionFields.sequenceNumber,
  file: { type: 'string', optional: true, description: 'Dropped file the line was read from (s3:// URI); only in lines of a dropped file' },
  line: { type: 'int', optional: true, description: 'Line number in the dropped file, from 1; only in lines of a dropped file' },
  reasons: { type: 'array', items: quarantineReasonFields, description: 'Why the record was rejected' },
  payload: { type: 'any', nullable: true, description: 'The rejected value as received, card numbers protected or masked; null when there was none' },
} as const satisfies LineFields;

export type LandingLine = LineOf<typeof landingLineFields>;
export type QuarantineLine = LineOf<typeof quarantineLineFields>;
export type QuarantineReason = LineOf<typeof quarantineReasonFields>;
