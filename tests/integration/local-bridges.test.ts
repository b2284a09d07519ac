import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { Admin } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAuthorizer, issueLocalToken, type LocalRuntime, startLocalRuntime } from '@ledgerflow/lambda-runtime';
import { envJsonWith, type JobServiceStandIn, kafkaBrokers, localRuntimeOptions, localS3, startJobServiceStandIn, waitFor } from '../fixtures/local-runtime.ts';

// Own topics and consumer group (Stage=prod names the group), so other users of the local stack do not interfere.
// The S3 bridge sees every object written to the lake bucket, others' included: waits are generous.
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const topicPrefix = `runtime-test-${run}.`;
const s3 = localS3();

describe('event-source bridges with template.yaml', () => {
  let runtime: LocalRuntime;
  let jobService: JobServiceStandIn;

  beforeAll(async () => {
    const admin = new Admin({ clientId: 'runtime-test-admin', bootstrapBrokers: kafkaBrokers() });
    await admin.createTopics({ topics: ['transactions', 'policies', 'claims'].map((source) => `${topicPrefix}${source}`), partitions: 1, replicas: 1 });
    await admin.close();
    jobService = await startJobServiceStandIn();
    runtime = await startLocalRuntime({
      ...localRuntimeOptions,
      envVarsPath: envJsonWith({ MergeTriggerFunction: { JOB_SERVICE_URL: jobService.url } }),
      parameterOverrides: [`TopicPrefix=${topicPrefix}`, 'Stage=prod'],
      apiPort: 0,
      invokePort: false,
      kafka: true,
      s3: true,
      onNotice: () => undefined,
      onLog: () => undefined,
    });
  });

  afterAll(async () => {
    await runtime?.stop();
    await jobService?.close();
  });

  it('carries an HTTP batch through Kafka to the validate function, whose landing object reaches the merge trigger', async () => {
    const transactionId = `TX-RT-${run}`;
    const response = await fetch(`${runtime.apiUrl}/v1/sources/transactions/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${issueLocalToken(findAuthorizer(runtime.registry.model))}` },
      body: JSON.stringify([{ transactionId, accountId: 'ACC-42', type: 'debit', status: 'posted', amount: '125.40', currency: 'EUR', occurredAt: '2026-03-01T12:00:00Z', updatedAt: '2026-03-01T12:00:05Z' }]),
    });
    expect(response.status).toBe(202);

    const landingPrefix = `landing/transactions/${topicPrefix}transactions/`;
    const landingKey = await waitFor('the landing object in MinIO', async () => (await s3.send(new ListObjectsV2Command({ Bucket: 'lake', Prefix: landingPrefix }))).Contents?.[0]?.Key);
    expect(landingKey).toMatch(/partition=0\/0{20}-0{20}\.ndjson$/);

    const job = await waitFor('the merge job for the landing object', () => jobService.requests.find((request) => request.objects.some((object) => object.key === landingKey)), 150_000);
    expect(job).toMatchObject({ source: 'transactions', bucket: 'lake' });
  }, 240_000);

  it('invokes the merge trigger for a landing object put into MinIO, and not for one outside landing/', async () => {
    const key = `landing/claims/${topicPrefix}direct/partition=0/00000000000000000000-00000000000000000001.ndjson`;
    const outside = `quarantine/claims/${topicPrefix}direct/partition=0/00000000000000000000-00000000000000000001.ndjson`;
    await s3.send(new PutObjectCommand({ Bucket: 'lake', Key: outside, Body: '{}\n' }));
    await s3.send(new PutObjectCommand({ Bucket: 'lake', Key: key, Body: '{}\n' }));
    const job = await waitFor('the merge job for the put object', () => jobService.requests.find((request) => request.objects.some((object) => object.key === key)), 150_000);
    expect(job.source).toBe('claims');
    expect(jobService.requests.some((request) => request.objects.some((object) => object.key === outside))).toBe(false);
  }, 240_000);
});
