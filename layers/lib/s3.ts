import { S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod';

/** S3_ENDPOINT is set only where the lake is an S3-compatible server (MinIO locally). */
export const s3Settings = z.object({
  S3_ENDPOINT: z.url().optional().or(z.literal('').transform(() => undefined)),
});

export interface S3ClientOptions {
  /** An S3-compatible server, which needs path-style addressing; unset in AWS, where the regional endpoint is used. */
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** The one way the product builds an S3 client: functions, tools, benchmarks and tests alike. */
export function createS3Client(options: S3ClientOptions = {}): S3Client {
  const { endpoint, ...rest } = options;
  // The SDK waits forever by default: a store that is down or paused would hold a function
  // until its timeout. With these a call fails (after the SDK's 3 attempts) and the
  // invocation is retried: at most 3 s to connect, 20 s without a byte while connected.
  const requestHandler = { connectionTimeout: 3_000, requestTimeout: 20_000 };
  return new S3Client(endpoint ? { ...rest, requestHandler, endpoint, forcePathStyle: true } : { ...rest, requestHandler });
}
