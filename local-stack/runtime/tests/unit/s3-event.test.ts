import { describe, expect, it } from 'vitest';
import { encodeS3Key, matchesSource, type MinioEventRecord, toS3EventRecord } from '../../bridges/s3/s3-event.ts';
import type { S3SourceDefinition } from '../../template/model.ts';

const source: S3SourceDefinition = { id: 'MergeTriggerFunction.LandingObjectCreated', functionLogicalId: 'MergeTriggerFunction', eventName: 'LandingObjectCreated', bucketLogicalId: 'LakeBucket', events: ['s3:ObjectCreated:*'], prefix: 'landing/' };
const minio = (key: string, eventName = 's3:ObjectCreated:Put'): MinioEventRecord => ({
  eventVersion: '2.0', eventName, eventTime: '2026-03-01T12:00:08.000Z', userIdentity: { principalId: 'ledgerflow' },
  requestParameters: { sourceIPAddress: '127.0.0.1' }, responseElements: { 'x-amz-request-id': 'R1', 'x-minio-deployment-id': 'D' },
  s3: { bucket: { name: 'lake', ownerIdentity: { principalId: 'ledgerflow' }, arn: 'arn:aws:s3:::lake' }, object: { key, size: 2048, eTag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer: '0055AED6DCD90281E5' } },
});

describe('S3 event from MinIO notifications', () => {
  it('is an S3 notification record in AWS shape with a form-encoded key', () => {
    const record = toS3EventRecord(minio('landing%2Ftransactions%2Fpartition%3D0%2Fa+b.ndjson'), source, 'us-east-1');
    expect(record).toEqual({
      eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventTime: '2026-03-01T12:00:08.000Z', eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: 'ledgerflow' }, requestParameters: { sourceIPAddress: '127.0.0.1' }, responseElements: { 'x-amz-request-id': 'R1', 'x-amz-id-2': 'D' },
      s3: {
        s3SchemaVersion: '1.0', configurationId: 'LandingObjectCreated',
        bucket: { name: 'lake', ownerIdentity: { principalId: 'ledgerflow' }, arn: 'arn:aws:s3:::lake' },
        object: { key: 'landing/transactions/partition%3D0/a+b.ndjson', size: 2048, eTag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer: '0055AED6DCD90281E5' },
      },
    });
  });

  it('matches the event filter: event type, prefix and suffix', () => {
    expect(matchesSource(source, minio('landing%2Fx.ndjson'))).toBe(true);
    expect(matchesSource(source, minio('quarantine%2Fx.ndjson'))).toBe(false);
    expect(matchesSource(source, minio('landing%2Fx.ndjson', 's3:ObjectRemoved:Delete'))).toBe(false);
    expect(matchesSource({ ...source, prefix: undefined, suffix: '.json' }, minio('a%2Fb.json'))).toBe(true);
  });

  it('encodes keys like S3 notifications', () => {
    expect(encodeS3Key('landing/a b/partition=0/é.json')).toBe('landing/a+b/partition%3D0/%C3%A9.json');
  });
});
