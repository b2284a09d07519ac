import type { S3EventRecord } from 'aws-lambda';
import type { S3SourceDefinition } from '../../template/model.ts';

/** A record of MinIO's notification stream (already close to S3's own shape). */
export interface MinioEventRecord {
  eventVersion?: string;
  eventName: string;
  eventTime?: string;
  userIdentity?: { principalId?: string };
  requestParameters?: { sourceIPAddress?: string; principalId?: string; region?: string };
  responseElements?: Record<string, string>;
  s3: {
    bucket: { name: string; ownerIdentity?: { principalId?: string }; arn?: string };
    object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer?: string };
  };
}

/** Keys in S3 notifications are URL-encoded like a form (`+` for a space), slashes kept. */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key)
    .replace(/%2F/g, '/')
    .replace(/%20/g, '+')
    .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function decodeS3Key(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

/** Whether a record's event name falls under a template pattern such as `s3:ObjectCreated:*`. */
export function eventNameMatches(pattern: string, eventName: string): boolean {
  const name = eventName.startsWith('s3:') ? eventName : `s3:${eventName}`;
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/** The S3 event filter of a function event: event types, then key prefix and suffix. */
export function matchesSource(source: S3SourceDefinition, record: MinioEventRecord): boolean {
  const key = decodeS3Key(record.s3.object.key);
  return source.events.some((pattern) => eventNameMatches(pattern, record.eventName))
    && (source.prefix === undefined || key.startsWith(source.prefix))
    && (source.suffix === undefined || key.endsWith(source.suffix));
}

/** The S3 notification record Lambda receives, in AWS's shape (event version 2.1). */
export function toS3EventRecord(record: MinioEventRecord, source: S3SourceDefinition, region: string): S3EventRecord {
  const object = record.s3.object;
  const bucket = record.s3.bucket.name;
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: region,
    eventTime: record.eventTime ?? new Date().toISOString(),
    eventName: record.eventName.replace(/^s3:/, ''),
    userIdentity: { principalId: record.userIdentity?.principalId ?? 'local' },
    requestParameters: { sourceIPAddress: record.requestParameters?.sourceIPAddress ?? '127.0.0.1' },
    responseElements: {
      'x-amz-request-id': record.responseElements?.['x-amz-request-id'] ?? '',
      'x-amz-id-2': record.responseElements?.['x-amz-id-2'] ?? record.responseElements?.['x-minio-deployment-id'] ?? '',
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: source.eventName,
      bucket: { name: bucket, ownerIdentity: { principalId: record.s3.bucket.ownerIdentity?.principalId ?? 'local' }, arn: `arn:aws:s3:::${bucket}` },
      object: {
        key: encodeS3Key(decodeS3Key(object.key)),
        size: object.size ?? 0,
        eTag: object.eTag ?? '',
        ...(object.versionId ? { versionId: object.versionId } : {}),
        sequencer: object.sequencer ?? '',
      },
    },
  } as S3EventRecord;
}
