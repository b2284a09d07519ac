import { EMRServerlessClient, StartJobRunCommand } from '@aws-sdk/client-emr-serverless';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MergeJobRequest } from '../../../functions/merge-trigger/job-submitter.ts';
import { emrServerlessSubmitter, maxNamedObjects, mergeJobArguments } from '../../../functions/merge-trigger/submitters/emr-serverless.ts';
import { createJobSubmitter, jobSubmitterSettings } from '../../../functions/merge-trigger/submitters/index.ts';
import { localJobServiceSubmitter } from '../../../functions/merge-trigger/submitters/local-job-service.ts';

const landingKey = (n: number) => `landing/claims/ingest.claims/partition=0/${String(n).padStart(20, '0')}-${String(n + 9).padStart(20, '0')}.ndjson`;

function request(objects = 2): MergeJobRequest {
  return {
    source: 'claims',
    bucket: 'ledgerflow-lake-123456789012-eu-west-1',
    objects: Array.from({ length: objects }, (_, n) => ({ key: landingKey(n * 10), size: 100, eTag: `etag-${n}`, sequencer: `00${n}` })),
    idempotencyKey: '0123456789abcdef0123456789abcdef',
  };
}

const emrSettings = {
  applicationId: '00fabc123def4567',
  executionRoleArn: 'arn:aws:iam::123456789012:role/ledgerflow-spark-job',
  scriptsUri: 's3://ledgerflow-lake-123456789012-eu-west-1/artifacts/spark/',
};

describe('EMR Serverless submitter', () => {
  const emr = mockClient(EMRServerlessClient);
  beforeEach(() => emr.reset());

  it('starts a job run with the idempotency key as client token and the landing objects as arguments', async () => {
    emr.on(StartJobRunCommand).resolves({ applicationId: emrSettings.applicationId, jobRunId: 'run-1', arn: 'arn:run-1' });
    const submitter = emrServerlessSubmitter(new EMRServerlessClient({ region: 'eu-west-1' }), emrSettings);

    const job = await submitter.submit(request());

    expect(job).toEqual({ jobId: 'run-1', deduplicated: false });
    const input = emr.commandCalls(StartJobRunCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      applicationId: '00fabc123def4567',
      executionRoleArn: emrSettings.executionRoleArn,
      clientToken: '0123456789abcdef0123456789abcdef',
      jobDriver: { sparkSubmit: { entryPoint: 's3://ledgerflow-lake-123456789012-eu-west-1/artifacts/spark/merge_job.py' } },
    });
    expect(input.jobDriver!.sparkSubmit!.entryPointArguments).toEqual([
      '--source', 'claims',
      '--bucket', 'ledgerflow-lake-123456789012-eu-west-1',
      '--objects', `${landingKey(0)},${landingKey(10)}`,
      '--run-id', '0123456789abcdef0123456789abcdef',
    ]);
    expect(input.jobDriver!.sparkSubmit!.sparkSubmitParameters).toContain('--py-files s3://ledgerflow-lake-123456789012-eu-west-1/artifacts/spark/ledgerflow_spark.zip');
    expect(input.jobDriver!.sparkSubmit!.sparkSubmitParameters).toContain('delta-spark.jar');
  });

  it('merges every pending object when a burst names more objects than fit on a command line', () => {
    const args = mergeJobArguments(request(maxNamedObjects + 1));
    expect(args).toContain('--all-pending');
    expect(args).not.toContain('--objects');
  });

  it('fails the submission when EMR refuses the run, so the S3 event is retried', async () => {
    emr.on(StartJobRunCommand).rejects(new Error('application is stopping'));
    const submitter = emrServerlessSubmitter(new EMRServerlessClient({ region: 'eu-west-1' }), emrSettings);
    await expect(submitter.submit(request())).rejects.toThrow('application is stopping');
  });
});

describe('local job service submitter', () => {
  it('posts the request to /jobs as JSON with its bearer token and returns the service answer', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const fakeFetch = (async (url: URL, init: RequestInit) => {
      calls.push({ url: String(url), init });
      return new Response(JSON.stringify({ jobId: 'job-7', deduplicated: true }), { status: 202 });
    }) as unknown as typeof fetch;

    const job = await localJobServiceSubmitter('http://127.0.0.1:3002', 'local-job-service-token', fakeFetch).submit(request());

    expect(job).toEqual({ jobId: 'job-7', deduplicated: true });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('http://127.0.0.1:3002/jobs');
    expect(calls[0]!.init.method).toBe('POST');
    expect(calls[0]!.init.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer local-job-service-token' });
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual(request());
  });

  it('fails with the status when the service refuses the request', async () => {
    const fakeFetch = (async () => new Response('{"error":"invalid-request"}', { status: 400 })) as unknown as typeof fetch;
    await expect(localJobServiceSubmitter('http://127.0.0.1:3002', 'local-job-service-token', fakeFetch).submit(request())).rejects.toThrow('job service answered 400');
  });
});

describe('submitter settings', () => {
  it('accepts the EMR Serverless settings and builds that submitter', () => {
    const settings = jobSubmitterSettings.parse({
      JOB_SUBMITTER: 'emr-serverless',
      EMR_APPLICATION_ID: '00fabc123def4567',
      EMR_JOB_ROLE_ARN: 'arn:aws:iam::123456789012:role/ledgerflow-spark-job',
      EMR_SCRIPTS_URI: 's3://ledgerflow-lake-123456789012-eu-west-1/artifacts/spark/',
    });
    expect(typeof createJobSubmitter(settings).submit).toBe('function');
  });

  it('names the variable that is missing or malformed', () => {
    const result = jobSubmitterSettings.safeParse({ JOB_SUBMITTER: 'emr-serverless', EMR_APPLICATION_ID: '00fabc123def4567', EMR_JOB_ROLE_ARN: 'not-an-arn' });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join('.'))).toEqual(expect.arrayContaining(['EMR_JOB_ROLE_ARN', 'EMR_SCRIPTS_URI']));
  });

  it('names JOB_SERVICE_TOKEN when the local submitter has no token', () => {
    const result = jobSubmitterSettings.safeParse({ JOB_SUBMITTER: 'local', JOB_SERVICE_URL: 'http://127.0.0.1:3002' });
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['JOB_SERVICE_TOKEN']);
  });

  it('refuses an unknown submitter', () => {
    expect(jobSubmitterSettings.safeParse({ JOB_SUBMITTER: 'glue' }).success).toBe(false);
  });
});
