import { S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod';

/**
 * S3_ENDPOINT points the client at an S3-compatible server (MinIO locally), which
 * needs path-style addressing; in AWS it is unset and the regional endpoint is used.
 */
export const s3Settings = z.object({
  S3_ENDPOINT: z.url().optional().or(z.literal('').transform(() => undefined)),
});

export function createS3Client(settings: z.output<typeof s3Settings>): S3Client {
  return settings.S3_ENDPOINT ? new S3Client({ endpoint: settings.S3_ENDPOINT, forcePathStyle: true }) : new S3Client({});
}
