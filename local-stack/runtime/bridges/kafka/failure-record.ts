import { type FailureRecordContext, failureRecordHead } from '../failure-destination.ts';
import type { ConsumedRecord } from './kafka-event.ts';

export interface FailureContext extends FailureRecordContext {
  eventSourceArn?: string;
  bootstrapServers: string[];
}

/**
 * The invocation record Lambda writes to an S3 on-failure destination for a Kafka event
 * source: failure metadata, per-partition offsets and timestamps, and (S3 only) the whole
 * event as an escaped JSON string in `payload`.
 */
export function kafkaFailureRecord(records: ConsumedRecord[], event: unknown, context: FailureContext): Record<string, unknown> {
  const payload = JSON.stringify(event);
  const recordsInfo: Record<string, { firstRecordOffset: string; lastRecordOffset: string; firstRecordTimestamp: string; lastRecordTimestamp: string }> = {};
  for (const record of records) {
    const key = `${record.topic}-${record.partition}`;
    const time = new Date(record.timestamp).toISOString();
    const info = recordsInfo[key];
    if (!info) recordsInfo[key] = { firstRecordOffset: String(record.offset), lastRecordOffset: String(record.offset), firstRecordTimestamp: time, lastRecordTimestamp: time };
    else {
      info.lastRecordOffset = String(record.offset);
      info.lastRecordTimestamp = time;
    }
  }
  return {
    ...failureRecordHead(context, context.functionError ?? 'Unhandled'),
    KafkaBatchInfo: {
      batchSize: records.length,
      ...(context.eventSourceArn ? { eventSourceArn: context.eventSourceArn } : {}),
      bootstrapServers: context.bootstrapServers.join(','),
      payloadSize: Buffer.byteLength(payload),
      recordsInfo,
    },
    payload,
  };
}
