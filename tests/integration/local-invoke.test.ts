import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envJsonWith, localS3, runCli, startJobServiceStandIn, type JobServiceStandIn } from '../fixtures/local-runtime.ts';

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

  const kafkaFixtures = fixtures.filter((fixture) => fixture.startsWith('validate-') && fixture !== 'validate-kinesis');
  for (const name of kafkaFixtures) {
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

  it('validate-kinesis: ValidateFunction reports no failed record and writes its landing object to MinIO', async () => {
    const event = JSON.parse(readFileSync('events/validate-kinesis.json', 'utf8'));
    const stream = (event.Records[0].eventSourceARN as string).split('/').pop()!;
    const shardId = (event.Records[0].eventID as string).split(':')[0]!;
    const startedAt = new Date(Date.now() - 1000);
    // The fixture's stream is the local stack's (ledgerflow-local-<source>), named from these parameters.
    const result = await runCli(['invoke', 'ValidateFunction', 'events/validate-kinesis.json', '--parameter-overrides', 'StreamEngine=kinesis', 'Stage=local']);
    expect(result.code, result.stderr).toBe(0);
    expect(parse(result.stdout)).toEqual({ batchItemFailures: [] });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'lake', Prefix: `landing/transactions/${stream}/shard=${shardId}/` }));
    expect((listed.Contents ?? []).some((object) => object.LastModified! >= startedAt)).toBe(true);
  });

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
