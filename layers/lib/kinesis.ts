import { createHash } from 'node:crypto';
import type { PutRecordsCommandInput, PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import * as z from 'zod';
import { encodeStreamEnvelope } from './stream-envelope.ts';
import type { OutgoingMessage } from './record-messages.ts';

export const kinesisSettings = z.object({
  /** Each source publishes to the stream <KINESIS_STREAM_PREFIX><source>. */
  KINESIS_STREAM_PREFIX: z.string().regex(/^[A-Za-z0-9._-]+$/),
  /** A Kinesis-compatible endpoint for local runs (local-stack/env.json); empty in AWS. */
  KINESIS_ENDPOINT: z.union([z.url(), z.literal('')]).default(''),
});

/** The name rule of the template's streams (`ledgerflow-${Stage}-<source>`), for tools and the local stack. */
export const kinesisStreamPrefix = (stage: string) => `ledgerflow-${stage}-`;

export const streamForSource = (streamPrefix: string, source: string) => `${streamPrefix}${source}`;

/** The stream name of an ARN (`arn:aws:kinesis:<region>:<account>:stream/<name>`), or the text itself when it is a name. */
export const streamNameOfArn = (arn: string) => /:stream\/([^/]+)/.exec(arn)?.[1] ?? arn;

/** PutRecords' limits (Kinesis Data Streams API reference). */
export const kinesisLimits = {
  recordsPerRequest: 500,
  bytesPerRequest: 5 * 1024 * 1024,
  /** Data and partition key of one record together. */
  bytesPerRecord: 1024 * 1024,
  partitionKeyLength: 256,
} as const;

/**
 * The business key as partition key: records of one key stay in order in one shard. A
 * key longer than Kinesis allows is replaced by its SHA-256, which keeps that property.
 */
export function partitionKeyFor(businessKey: string): string {
  if (businessKey.length <= kinesisLimits.partitionKeyLength) return businessKey;
  return createHash('sha256').update(businessKey).digest('hex');
}

export type KinesisRecordOutcome = { durable: true; shardId: string; sequenceNumber: string } | { durable: false; errorCode: string; errorMessage: string };

export interface PutRecordsOptions {
  /** Sends of each record at most, the first one included. */
  maxAttempts?: number;
  /** Wait before the second send of the records that failed; doubles, up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface Entry {
  index: number;
  partitionKey: string;
  data: Uint8Array;
  bytes: number;
}

/**
 * Puts every message into the stream and says, per message, whether it is durable there.
 * Requests stay within PutRecords' limits; after each round only the records that failed
 * (per-record ErrorCode, or a request that failed whole) are sent again, with bounded
 * backoff. A record is durable only once Kinesis gave it a sequence number.
 */
export async function putRecordsDurably(
  send: (input: PutRecordsCommandInput) => Promise<Pick<PutRecordsCommandOutput, 'Records'>>,
  streamName: string,
  messages: OutgoingMessage[],
  options: PutRecordsOptions = {},
): Promise<KinesisRecordOutcome[]> {
  const { maxAttempts = 4, baseDelayMs = 100, maxDelayMs = 2000, sleep = delay } = options;
  const outcomes: KinesisRecordOutcome[] = messages.map(() => ({ durable: false, errorCode: 'NotSent', errorMessage: 'not sent' }));
  let pending: Entry[] = [];
  messages.forEach((message, index) => {
    const partitionKey = partitionKeyFor(message.key);
    const data = Buffer.from(encodeStreamEnvelope(message));
    const bytes = data.byteLength + Buffer.byteLength(partitionKey);
    if (bytes > kinesisLimits.bytesPerRecord) {
      outcomes[index] = { durable: false, errorCode: 'RecordTooLarge', errorMessage: `record is ${bytes} bytes with its partition key; Kinesis takes at most ${kinesisLimits.bytesPerRecord}` };
    } else pending.push({ index, partitionKey, data, bytes });
  });
  for (let attempt = 1; attempt <= maxAttempts && pending.length > 0; attempt++) {
    if (attempt > 1) await sleep(Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 2)));
    const failed: Entry[] = [];
    for (const request of requestsWithinLimits(pending)) {
      try {
        const output = await send({ StreamName: streamName, Records: request.map((entry) => ({ PartitionKey: entry.partitionKey, Data: entry.data })) });
        request.forEach((entry, position) => {
          const result = output.Records?.[position];
          if (result?.SequenceNumber && result.ShardId && !result.ErrorCode) {
            outcomes[entry.index] = { durable: true, shardId: result.ShardId, sequenceNumber: result.SequenceNumber };
          } else {
            outcomes[entry.index] = { durable: false, errorCode: result?.ErrorCode ?? 'MissingResult', errorMessage: result?.ErrorMessage ?? 'no result for the record' };
            failed.push(entry);
          }
        });
      } catch (error) {
        for (const entry of request) outcomes[entry.index] = { durable: false, errorCode: (error as Error).name, errorMessage: (error as Error).message };
        failed.push(...request);
      }
    }
    pending = failed;
  }
  return outcomes;
}

/** Consecutive runs of entries within PutRecords' record count and byte limits. */
function requestsWithinLimits(entries: Entry[]): Entry[][] {
  const requests: Entry[][] = [];
  let request: Entry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (request.length === kinesisLimits.recordsPerRequest || (request.length > 0 && bytes + entry.bytes > kinesisLimits.bytesPerRequest)) {
      requests.push(request);
      request = [];
      bytes = 0;
    }
    request.push(entry);
    bytes += entry.bytes;
  }
  if (request.length > 0) requests.push(request);
  return requests;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
