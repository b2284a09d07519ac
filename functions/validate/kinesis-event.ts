import * as z from 'zod';

/**
 * The event Lambda delivers for a Kinesis Data Streams event source mapping
 * (events/validate-kinesis.json; `sam local generate-event kinesis get-records`): one
 * shard's records in order, data base64-encoded, `eventID` `<shardId>:<sequenceNumber>`.
 */
const kinesisRecord = z.object({
  kinesis: z.object({
    kinesisSchemaVersion: z.string(),
    partitionKey: z.string(),
    sequenceNumber: z.string().regex(/^\d+$/),
    data: z.string(),
    approximateArrivalTimestamp: z.number(),
  }),
  eventSource: z.literal('aws:kinesis'),
  eventVersion: z.string(),
  eventID: z.string().regex(/^shardId-[^:]+:\d+$/),
  eventName: z.string(),
  invokeIdentityArn: z.string(),
  awsRegion: z.string(),
  eventSourceARN: z.string(),
});

export const kinesisEventSchema = z.object({ Records: z.array(kinesisRecord) });

export type KinesisEvent = z.infer<typeof kinesisEventSchema>;
export type KinesisRecord = z.infer<typeof kinesisRecord>;

/** The shard a record was read from, e.g. "shardId-000000000003". */
export const shardIdOf = (record: KinesisRecord) => record.eventID.slice(0, record.eventID.lastIndexOf(':'));

/** The shard's number ("shardId-000000000003" gives 3), the `partition` of a lake line. */
export const shardNumber = (shardId: string) => Number(/(\d+)$/.exec(shardId)?.[1] ?? 0);

/** A Kinesis event, as told from a Kafka one. */
export const isKinesisEvent = (event: unknown): boolean =>
  typeof event === 'object' && event !== null && Array.isArray((event as { Records?: unknown }).Records);

/** The response that makes Lambda retry from the first failed record (ReportBatchItemFailures). */
export interface KinesisBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}
