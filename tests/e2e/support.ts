import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileReportKey, lakePrefixes } from '#contracts/lake.ts';
import { sourceNames } from '#contracts/registry.ts';
import { deterministicUuid } from '#lib/ids.ts';
import { stackSettings } from '../../local-stack/stack.config.ts';
import { localToken, type RuntimeProcess, runScript, type StreamEngine, startRuntime } from '../../tools/pipeline/local-services.ts';
import { type Reconciliation, reconcile } from '../../tools/pipeline/reconcile.ts';
import { type AcceptedRecord, sendRecords } from '../../tools/pipeline/send-records.ts';
import { LakeWatcher, lakeClient, waitUntilSettled } from '../../tools/pipeline/settle.ts';
import { expectedOutcome, generateSample, type LabelledRecord } from '../../tools/sample-data/generate-sample.ts';

export interface LocalRuntimeContext {
  runtime: RuntimeProcess;
  /** A bearer token the local authorizer accepts. */
  token: string;
}

/** Starts the Docker-free runtime before the tests of a file (the local stack must be up) and stops it after them. */
export function useLocalRuntime(options: { stream?: StreamEngine } = {}): LocalRuntimeContext {
  const context = {} as LocalRuntimeContext;
  beforeAll(async () => {
    if (!runScript('stack:status', ['--quiet'], { quiet: true })) throw new Error('the local stack is not up: run `npm run stack:up` first');
    context.runtime = await startRuntime({ stream: options.stream });
    context.token = localToken();
  });
  afterAll(async () => {
    await context.runtime?.stop();
  });
  return context;
}

/** A JSON object of the lake bucket, once it exists. */
/** A dropped file's report once the file is read to the end (before, it is the progress checkpoint). */
export const fileReportComplete = (report: Record<string, any>) => report.status === 'complete';

export async function waitForObject(key: string, timeoutMs = 60_000, ready: (object: Record<string, any>) => boolean = () => true): Promise<Record<string, any>> {
  const s3 = lakeClient();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const body = await s3
      .send(new GetObjectCommand({ Bucket: stackSettings.lakeBucket, Key: key }))
      .then((object) => object.Body!.transformToString(), () => undefined);
    if (body && ready(JSON.parse(body))) return JSON.parse(body);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${key} did not appear within ${timeoutMs / 1000} s`);
}

export interface MixedSampleRun {
  samples: Record<string, LabelledRecord[]>;
  accepted: AcceptedRecord[];
  /** Set once every accepted record has settled. */
  result: Reconciliation;
}

/**
 * Sends a generated sample of every source through the runtime's API before the tests of
 * the enclosing describe, waits until the lake settles and reconciles; then tests that
 * every accepted record of each source is accounted for, none lost.
 */
export function mixedSampleThroughApi(local: LocalRuntimeContext, options: { perSource: number; seed: number; keyPrefix: string }): MixedSampleRun {
  const run = { samples: Object.fromEntries(sourceNames().map((source) => [source, generateSample({ source, count: options.perSource, seed: options.seed, keyPrefix: options.keyPrefix })])), accepted: [] } as unknown as MixedSampleRun;
  beforeAll(async () => {
    const watcher = new LakeWatcher(lakeClient());
    await watcher.snapshot();
    for (const [source, sample] of Object.entries(run.samples)) {
      const sent = await sendRecords({ apiUrl: local.runtime.apiUrl, token: local.token, source, records: sample.map((entry) => entry.record), batchSize: 100 });
      expect(sent.refused).toEqual([]);
      run.accepted.push(...sent.accepted);
    }
    await waitUntilSettled(watcher, run.accepted.length, { timeoutMs: 8 * 60_000 });
    run.result = await reconcile(run.accepted);
  });

  for (const source of sourceNames()) {
    it(`accounts for every accepted ${source} record: quarantined, curated, superseded or deleted, none lost`, () => {
      const expected = expectedOutcome(source, run.samples[source]!);
      const counts = run.result.sources.find((entry) => entry.source === source)!;
      expect(counts).toMatchObject({
        accepted: options.perSource,
        quarantined: expected.quarantined,
        valid: expected.valid,
        curated: expected.curatedRows,
        deletesApplied: expected.deletedEntities,
        lost: 0,
        inBoth: 0,
      });
      expect(counts.curated + counts.superseded + counts.deletesApplied).toBe(counts.valid);
    });
  }
  return run;
}

/**
 * A CSV file dropped into the bucket: the file-drop function publishes its readable lines
 * to the stream (Kafka or Kinesis, as the runtime runs), which reach the curated table;
 * unreadable lines are rejected by number in the file's report.
 */
export function fileDropThroughLake(runId: string): void {
  describe('file-drop ingestion', () => {
    it('streams a dropped CSV file into the curated table, quarantining unreadable lines by number', async () => {
      const s3 = lakeClient();
      const key = `${lakePrefixes.fileDrop}claims/${runId}broker-export.csv`;
      const header = 'claimId,policyId,lossType,status,lossDate,reportedAt,claimedAmount,currency,updatedAt';
      const rows = Array.from({ length: 20 }, (_, i) => `${runId}FD-${i},POL-1,water,reported,2026-02-01,2026-02-02T09:00:00Z,${100 + i}.50,GBP,2026-02-02T09:00:00Z`);
      const lines = [header, ...rows.slice(0, 10), ',POL-1,theft,reported,2026-02-01,2026-02-02T09:00:00Z,1.00,GBP,2026-02-02T09:00:00Z', `${runId}FD-X,POL-1`, ...rows.slice(10)];
      const watcher = new LakeWatcher(s3);
      await watcher.snapshot();

      const put = await s3.send(new PutObjectCommand({ Bucket: stackSettings.lakeBucket, Key: key, Body: `${lines.join('\n')}\n`, ContentType: 'text/csv' }));
      const report = await waitForObject(fileReportKey(key), 60_000, fileReportComplete);
      expect(report).toMatchObject({ source: 'claims', lines: 23, published: 20, rejected: 2 });

      const publishedLines = lines.map((_, index) => index + 1).filter((line) => line !== 1 && line !== 12 && line !== 13);
      const fileRecords = publishedLines.map((line) => ({ eventId: deterministicUuid(report.batchId, String(line)), source: 'claims', acceptedAt: Date.now() }));
      expect(put.ETag).toBeTruthy();
      await waitUntilSettled(watcher, fileRecords.length, { timeoutMs: 5 * 60_000 });
      const result = await reconcile(fileRecords);
      expect(result.totals).toMatchObject({ accepted: 20, valid: 20, curated: 20, lost: 0 });
    });
  });
}
