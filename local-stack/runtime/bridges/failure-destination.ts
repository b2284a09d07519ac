import { randomUUID } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type FailureCondition, sleep } from './batch-processor.ts';

/** `aws/lambda/<ESM-UUID>/<shard>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<random UUID>`, the documented naming of S3 on-failure records. */
export function failureObjectKey(mappingUuid: string, shard: string, now = new Date()): string {
  return datedKey(`aws/lambda/${mappingUuid}/${shard}/`, now);
}

/** `aws/lambda/async/<function name>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<random UUID>`: asynchronous invocations' S3 on-failure records. */
export function asyncFailureObjectKey(functionName: string, now = new Date()): string {
  return datedKey(`aws/lambda/async/${functionName}/`, now);
}

function datedKey(prefix: string, now: Date): string {
  const iso = now.toISOString();
  const day = iso.slice(0, 10);
  return `${prefix}${day.replaceAll('-', '/')}/${day}T${iso.slice(11, 19).replaceAll(':', '.')}-${randomUUID()}`;
}

/**
 * Writes an on-failure record to its S3 bucket, retrying until it is written: the caller
 * commits the records only afterwards. While the bridge stops, a failed write throws so
 * nothing is committed.
 */
export async function writeFailureRecord(s3: S3Client, bucket: string, key: string, body: unknown, state: { stopping: boolean }, onNotice: (text: string) => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(body), ContentType: 'application/json' }));
      return;
    } catch (error) {
      if (state.stopping) throw new Error(`on-failure destination not written while stopping: ${(error as Error).message}`);
      onNotice(`writing the on-failure record to s3://${bucket} failed (${(error as Error).message}); retrying`);
      await sleep(Math.min(30_000, 1000 * attempt), state);
    }
  }
}

/** What an on-failure record says about the failed invocation, for Kafka and Kinesis alike. */
export interface FailureRecordContext {
  requestId: string;
  functionArn: string;
  condition: FailureCondition;
  approximateInvokeCount: number;
  /** Set when the function failed; absent when it answered with failed items. */
  functionError?: string;
  now?: Date;
}

/** The fields every on-failure record starts with; `functionError` as the source writes it (absent: left out). */
export function failureRecordHead(context: FailureRecordContext, functionError: string | undefined): Record<string, unknown> {
  return {
    requestContext: {
      requestId: context.requestId,
      functionArn: context.functionArn,
      condition: context.condition,
      approximateInvokeCount: context.approximateInvokeCount,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', ...(functionError !== undefined ? { functionError } : {}) },
    version: '1.0',
    timestamp: (context.now ?? new Date()).toISOString(),
  };
}
