import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
const s3 = new S3Client({ endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'ledgerflow', secretAccessKey: 'ledgerflow-local-secret' } });
const body = ['claimId,policyId,lossType,status,lossDate,reportedAt,claimedAmount,paidAmount,currency,updatedAt',
  'CLM-1,POL-1,water,reported,2026-02-01,2026-02-02T09:00:00Z,1200.00,,GBP,2026-02-02T09:00:00Z',
  'CLM-4,POL-4,theft'].join('\n');
await s3.send(new PutObjectCommand({ Bucket: 'lake', Key: 'files/claims/broker-export 2026-03-01.csv', Body: body }));
console.log('uploaded');
