import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envJsonWith, localS3, runCli, startJobServiceStandIn, type JobServiceStandIn } from '../fixtures/templates/runtime-test-support.ts';

const fixtures = readdirSync('events').map((file) => basename(file, '.json'));
const parse = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);
const s3 = localS3();

describe('local:invoke with the event fixtures', () => {
  const ingestStatus: Record<string, number> = { 'ingest-valid': 202, 'ingest-ndjson': 202, 'ingest-malformed': 400, 'ingest-missing-key': 422, 'ingest-unknown-source': 404 };

  for (const name of fixtures.filter((fixture) => fixture.startsWith('ingest-'))) {
    it(`${name}: IngestFunction answers ${ingestStatus[name]}`, async () => {
      const result = await runCli(['invoke', 'IngestFunction', `events/${name}.json`]);
      expect(result.code, result.stderr).toBe(0);
      const response = parse(result.stdout);
      expect(response.statusCode).toBe(ingestStatus[name]);
      expect(JSON.parse(response.body)).toBeTypeOf('object');
    });
  }

  for (const name of fixtures.filter((fixture) => fixture.startsWith('validate-'))) {
    it(`${name}: ValidateFunction writes its landing objects to MinIO`, async () => {
      const event = JSON.parse(readFileSync(`events/${name}.json`, 'utf8'));
      const [group] = Object.keys(event.records);
      const first = event.records[group!][0];
      const startedAt = new Date(Date.now() - 1000);
      const result = await runCli(['invoke', 'ValidateFunction', `events/${name}.json`]);
      expect(result.code, result.stderr).toBe(0);
      const summary = parse(result.stdout);
      expect(summary.valid).toBeGreaterThan(0);
      expect(summary.objects).toBeGreaterThan(0);
      const source = first.topic.replace(/^ingest\./, '');
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'lake', Prefix: `landing/${source}/${first.topic}/partition=${first.partition}/` }));
      expect((listed.Contents ?? []).some((object) => object.LastModified! >= startedAt)).toBe(true);
    });
  }

  it('merge-trigger-outside-prefix: the object is ignored', async () => {
    const result = await runCli(['invoke', 'MergeTriggerFunction', 'events/merge-trigger-outside-prefix.json']);
    expect(result.code, result.stderr).toBe(0);
    expect(parse(result.stdout)).toEqual({ submitted: [], ignored: ['quarantine/transactions/ingest.transactions/partition=0/00000000000000000100-00000000000000000103.ndjson'] });
  });

  describe('merge-trigger-landing', () => {
    let jobService: JobServiceStandIn;
    beforeAll(async () => {
      jobService = await startJobServiceStandIn();
    });
    afterAll(() => jobService.close());

    it('submits one merge job for the landing object', async () => {
      const envVars = envJsonWith({ MergeTriggerFunction: { JOB_SERVICE_URL: jobService.url } });
      const result = await runCli(['invoke', 'MergeTriggerFunction', 'events/merge-trigger-landing.json', '--env-vars', envVars]);
      expect(result.code, result.stderr).toBe(0);
      expect(parse(result.stdout).submitted).toEqual([{ jobId: 'job-1', deduplicated: false, source: 'transactions', objects: 1 }]);
      expect(jobService.requests[0]).toMatchObject({ source: 'transactions', bucket: 'lake' });
    });

    it("fails with AWS's error shape and exit code 1 when the job service cannot be reached", async () => {
      const envVars = envJsonWith({ MergeTriggerFunction: { JOB_SERVICE_URL: 'http://127.0.0.1:9' } });
      const result = await runCli(['invoke', 'MergeTriggerFunction', '-e', 'events/merge-trigger-landing.json', '--env-vars', envVars]);
      expect(result.code).toBe(1);
      const error = parse(result.stdout);
      expect(Object.keys(error)).toEqual(['errorType', 'errorMessage', 'trace']);
      expect(error).toMatchObject({ errorType: 'TypeError', errorMessage: 'fetch failed' });
      expect(error.trace[0]).toBe('TypeError: fetch failed');
    });
  });
});

describe('local:invoke behaviour', () => {
  const template = ['--template', 'tests/fixtures/templates/api/template.yaml', '--env-vars', 'tests/fixtures/templates/api/env.json'];

  it('reads the event from stdin and gives the handler a Lambda context and environment', async () => {
    const result = await runCli(['invoke', 'EchoFunction', '-', ...template], '{"hello":"world"}');
    expect(result.code, result.stderr).toBe(0);
    const output = parse(result.stdout);
    expect(output.event).toEqual({ hello: 'world' });
    expect(output.context).toMatchObject({ functionName: 'EchoFunction', functionVersion: '$LATEST', memoryLimitInMB: '256', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:EchoFunction', logGroupName: '/aws/lambda/EchoFunction', callbackWaitsForEmptyEventLoop: true });
    expect(output.context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(output.context.remainingMs).toBeGreaterThan(0);
    expect(output.env).toMatchObject({ GREETING: 'hola', ONLY_IN_TEMPLATE: 'from-template', NOT_DECLARED: null, AWS_LAMBDA_FUNCTION_NAME: 'EchoFunction', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256', _HANDLER: 'echo.handler', AWS_REGION: 'eu-west-1' });
    expect(result.stderr).toContain('REPORT RequestId:');
  });

  it("reports the handler's error in AWS's shape with its type", async () => {
    const result = await runCli(['invoke', 'FailingFunction', ...template]);
    expect(result.code).toBe(1);
    expect(parse(result.stdout)).toMatchObject({ errorType: 'LedgerMismatchError', errorMessage: 'debits and credits differ' });
  });

  it('stops a function at its Timeout as Lambda does', async () => {
    const result = await runCli(['invoke', 'SlowFunction', ...template]);
    expect(result.code).toBe(1);
    expect(parse(result.stdout)).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringMatching(/Task timed out after 1\.00 seconds$/) });
    expect(result.stderr).toMatch(/Task timed out after 1\.00 seconds/);
  });

  it('names the template construct it cannot run', async () => {
    const result = await runCli(['invoke', 'ValidateFunction', 'events/validate-msk.json', '--parameter-overrides', 'Stage=qa']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Parameters\.Stage: "qa" is not one of the AllowedValues/);
  });
});
