import type { FailureCondition } from '../batch-processor.ts';
import type { ConsumedRecord } from './kafka-event.ts';

export interface FailureContext {
  requestId: string;
  functionArn: string;
  condition: FailureCondition;
  approximateInvokeCount: number;
  functionError?: string;
  eventSourceArn?: string;
  bootstrapServers: string[];
  now?: Date;
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
    requestContext: {
      requestId: context.requestId,
      functionArn: context.functionArn,
      condition: context.condition,
      approximateInvokeCount: context.approximateInvokeCount,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: context.functionError ?? 'Unhandled' },
    version: '1.0',
    timestamp: (context.now ?? new Date()).toISOString(),
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
