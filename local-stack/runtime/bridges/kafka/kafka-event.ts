import type { MSKEvent } from 'aws-lambda';

/** One consumed record, before it becomes part of a Lambda event. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: bigint;
  /** Milliseconds since the epoch. */
  timestamp: number;
  timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME';
  key: Buffer | null;
  value: Buffer | null;
  headers: [Buffer, Buffer | null][];
}

export interface KafkaEventSource {
  kind: 'msk' | 'self-managed';
  eventSourceArn?: string;
  bootstrapServers: string[];
}

/** Header values as Lambda's Java poller writes them: bytes as signed integers. */
function headerBytes(value: Buffer | null): number[] {
  if (!value) return [];
  return Array.from(value, (byte) => (byte > 127 ? byte - 256 : byte));
}

/**
 * The event Lambda delivers for Amazon MSK (`aws:kafka`) and self-managed Kafka
 * (`SelfManagedKafka`): records grouped by `topic-partition`, key and value in base64,
 * each header an object of one name and its bytes.
 */
export function buildKafkaEvent(records: ConsumedRecord[], source: KafkaEventSource): MSKEvent {
  const grouped: Record<string, unknown[]> = {};
  for (const record of records) {
    const entry: Record<string, unknown> = {
      topic: record.topic,
      partition: record.partition,
      offset: Number(record.offset),
      timestamp: record.timestamp,
      timestampType: record.timestampType,
    };
    if (record.key) entry.key = record.key.toString('base64');
    entry.value = record.value ? record.value.toString('base64') : null;
    entry.headers = record.headers.map(([name, value]) => ({ [name.toString('utf8')]: headerBytes(value) }));
    const group = `${record.topic}-${record.partition}`;
    grouped[group] ??= [];
    grouped[group].push(entry);
  }
  const event: Record<string, unknown> = source.kind === 'msk'
    ? { eventSource: 'aws:kafka', eventSourceArn: source.eventSourceArn, bootstrapServers: source.bootstrapServers.join(','), records: grouped }
    : { eventSource: 'SelfManagedKafka', bootstrapServers: source.bootstrapServers.join(','), records: grouped };
  return event as unknown as MSKEvent;
}
