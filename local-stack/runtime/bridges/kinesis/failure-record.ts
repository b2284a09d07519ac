import { type FailureRecordContext, failureRecordHead } from '../failure-destination.ts';
import type { ShardRecord } from './kinesis-event.ts';

export interface KinesisFailureContext extends FailureRecordContext {
  streamArn: string;
}

/**
 * The invocation record Lambda writes to an S3 on-failure destination for a Kinesis
 * event source: failure metadata, `KinesisBatchInfo` (shard, first and last sequence
 * number and arrival time, size, stream) and (S3 only) the whole event as a JSON string.
 */
export function kinesisFailureRecord(records: ShardRecord[], event: unknown, context: KinesisFailureContext): Record<string, unknown> {
  const first = records[0]!;
  const last = records[records.length - 1]!;
  return {
    ...failureRecordHead(context, context.functionError || undefined),
    KinesisBatchInfo: {
      shardId: first.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(first.approximateArrivalTimestamp).toISOString(),
      approximateArrivalOfLastRecord: new Date(last.approximateArrivalTimestamp).toISOString(),
      batchSize: records.length,
      streamArn: context.streamArn,
    },
    payload: JSON.stringify(event),
  };
}
