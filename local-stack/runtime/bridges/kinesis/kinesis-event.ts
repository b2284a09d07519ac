import type { KinesisStreamEvent } from 'aws-lambda';

/** One record read from a shard, before it becomes part of a Lambda event. */
export interface ShardRecord {
  shardId: string;
  /** Decimal string, as Kinesis returns it (up to 128 digits). */
  sequenceNumber: string;
  partitionKey: string;
  data: Buffer;
  /** Milliseconds since the epoch. */
  approximateArrivalTimestamp: number;
}

export interface KinesisEventSource {
  streamArn: string;
  region: string;
  /** The function's execution role (SAM names it `<Function>Role`). */
  invokeIdentityArn: string;
}

/**
 * The event Lambda delivers for a Kinesis stream: one entry per record, data in base64,
 * the arrival time in (fractional) seconds and `eventID` = `<shardId>:<sequenceNumber>`.
 */
export function buildKinesisEvent(records: ShardRecord[], source: KinesisEventSource): KinesisStreamEvent {
  return {
    Records: records.map((record) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: record.partitionKey,
        sequenceNumber: record.sequenceNumber,
        data: record.data.toString('base64'),
        approximateArrivalTimestamp: record.approximateArrivalTimestamp / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${record.shardId}:${record.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: source.invokeIdentityArn,
      awsRegion: source.region,
      eventSourceARN: source.streamArn,
    })),
  };
}
