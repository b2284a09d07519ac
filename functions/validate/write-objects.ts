import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { StorageError } from '#lib/errors.ts';
import { toNdjson } from '#contracts/lake.ts';
import type { BatchObject } from './validate-batch.ts';

/**
 * Writes every object of the batch. Any failure fails the whole invocation, so Lambda
 * retries the batch; the deterministic keys make the retry overwrite, not duplicate.
 */
export async function writeBatchObjects(s3: S3Client, bucket: string, objects: BatchObject[]): Promise<void> {
  const results = await Promise.allSettled(
    objects.map((object) =>
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: object.key,
          Body: toNdjson(object.lines),
          ContentType: 'application/x-ndjson',
          Metadata: { 'record-count': String(object.lines.length) },
        }),
      ),
    ),
  );
  const failed = results.flatMap((result, index) => (result.status === 'rejected' ? [{ key: objects[index]!.key, reason: result.reason }] : []));
  if (failed.length > 0) {
    throw new StorageError(`${failed.length} of ${objects.length} lake objects could not be written: ${failed.map((f) => f.key).join(', ')}`, {
      cause: failed[0]!.reason,
    });
  }
}
