import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, DeleteObjectsCommand, HeadBucketCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { decodeObjectKey, landingObjectKey } from '#contracts/lake.ts';
import { recordHeaders, sourceForTopic, topicForSource } from '#lib/topics.ts';
import { decodeHeaders, type KafkaEvent } from '../../functions/validate/kafka-event.ts';
import { deleteTopic, withAdmin } from '../../tools/pipeline/kafka-admin.ts';
import { localRuntimeOptions } from '../lib/local-runtime.ts';
import { type Benchmark, benchmark } from '../lib/report.ts';
import { transactionRecords } from '../lib/sample.ts';
import { jobService, kafkaService, minioService, requireStack } from '../lib/services.ts';
import type { Stage } from '../lib/stage.ts';
import { percentile } from '../lib/stats.ts';
import { sleep } from '../lib/timing.ts';


interface Timeline {
  accepted: number;
  landed?: number;
  landingKey?: string;
  jobId?: string;
  submitted?: number;
  visible?: number;
}

interface JobView {
  status: string;
  submittedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

/** Per record: 202 -> landing object written -> merge job submitted -> merge job finished (row in curated). */
export function stageDurations(timelines: Timeline[]) {
  const done = timelines.filter((t): t is Required<Timeline> => t.visible !== undefined && t.landed !== undefined && t.submitted !== undefined);
  const seconds = (values: number[]) => ({ p50: percentile(values, 50) / 1000, p95: percentile(values, 95) / 1000 });
  return {
    total: seconds(done.map((t) => t.visible - t.accepted)),
    toLanding: seconds(done.map((t) => t.landed - t.accepted)),
    toJob: seconds(done.map((t) => t.submitted - t.landed)),
    toVisible: seconds(done.map((t) => t.visible - t.submitted)),
    count: done.length,
  };
}

/**
 * End-to-end freshness at a steady ingest rate: the Docker-free runtime (API, Kafka and
 * S3 bridges) over the running stack, with topics and a bucket of the stage's own. Each
 * record's path is timed from the invocations the bridges make and the job service's
 * job record: a row is visible once the merge job that holds its landing object finished.
 */
export const freshnessStage: Stage = {
  name: 'freshness',
  needs: 'Kafka, MinIO and the Spark job service (npm run stack:up); the stage runs its own runtime (API, Kafka and S3 bridges)',
  async run({ sizes, repoRoot, log }) {
    const stackSettings = await requireStack('freshness', (stack) => [kafkaService(stack.kafkaPort), minioService(stack.minioPort), jobService(stack.jobServicePort)]);
    const health = await fetch(`${stackSettings.jobServiceUrl}/health`).catch(() => undefined);
    if (health?.status !== 200) throw new Error(`the job service at ${stackSettings.jobServiceUrl} is not ready (GET /health answered ${health?.status ?? 'nothing'})`);

    // The stage's own bucket (the job service merges it beside the lake) and topics: the pipeline's lake and topics are never touched.
    const { benchFreshnessBucket: freshBucket } = await import('../../local-stack/stack.config.ts');
    const runId = Date.now().toString(36);
    const topicPrefix = `bench.fresh.${runId}.`;
    const brokers = stackSettings.kafkaBrokers;
    const { sourceNames } = await import('#contracts/registry.ts');
    const topics = sourceNames().map((source) => topicForSource(topicPrefix, source));
    await withAdmin(brokers, (admin) => admin.createTopics({ topics, partitions: stackSettings.kafkaPartitions, replicas: 1 }));
    const { lakeClient } = await import('../../tools/pipeline/settle.ts');
    const s3 = lakeClient();
    await s3.send(new HeadBucketCommand({ Bucket: freshBucket })).catch(() => s3.send(new CreateBucketCommand({ Bucket: freshBucket })));
    // Every run starts from empty tables, so runs compare.
    await emptyBucket(s3, freshBucket);
    s3.destroy();

    // env.json with the stage's bucket for the functions that write the lake.
    const work = mkdtempSync(join(tmpdir(), 'ledgerflow-freshness-'));
    const envVars = JSON.parse(readFileSync(join(repoRoot, 'local-stack/env.json'), 'utf8')) as Record<string, Record<string, string>>;
    envVars.ValidateFunction = { ...envVars.ValidateFunction, LAKE_BUCKET: freshBucket };
    envVars.MergeTriggerFunction = { ...envVars.MergeTriggerFunction, LAKE_BUCKET: freshBucket };
    const envVarsPath = join(work, 'env.json');
    writeFileSync(envVarsPath, JSON.stringify(envVars));

    const timelines = new Map<string, Timeline>();
    const landedEarly = new Map<string, { landed: number; landingKey: string }>();
    const jobs = new Map<string, string[]>();
    const keyJobs = new Map<string, { jobId: string; submitted: number }>();
    const notices: string[] = [];
    const { findAuthorizer, issueLocalToken, startLocalRuntime } = await import('@ledgerflow/lambda-runtime');
    const runtime = await startLocalRuntime({
      stateDir: localRuntimeOptions.stateDir,
      apiPort: 0,
      invokePort: false,
      kafka: true,
      s3: true,
      envVarsPath,
      bucketNames: { LakeBucket: freshBucket },
      // Stage "local" gives the bridge's consumer groups names of their own (ledgerflow-local-validate-<source>).
      parameterOverrides: { TopicPrefix: topicPrefix, Stage: 'local' },
      maxInstances: 2,
      onLog: () => {},
      onNotice: (text) => notices.push(text),
    });
    try {
      // Follow each record through the invocations the bridges make.
      const invoke = runtime.registry.invoke.bind(runtime.registry);
      runtime.registry.invoke = async (logicalId, event, options) => {
        const outcome = await invoke(logicalId, event, options);
        const now = Date.now();
        if (logicalId === 'ValidateFunction' && outcome.ok) {
          for (const records of Object.values((event as KafkaEvent).records)) {
            if (records.length === 0) continue;
            const source = sourceForTopic(topicPrefix, records[0]!.topic) ?? records[0]!.topic;
            const offsets = records.map((record) => record.offset);
            const key = landingObjectKey(source, { topic: records[0]!.topic, partition: records[0]!.partition, firstOffset: String(Math.min(...offsets)), lastOffset: String(Math.max(...offsets)) });
            const eventIds = records.map((record) => decodeHeaders(record.headers ?? [])[recordHeaders.eventId]).filter((id): id is string => id !== undefined);
            for (const id of eventIds) {
              const timeline = timelines.get(id);
              if (timeline) Object.assign(timeline, { landed: now, landingKey: key });
              else landedEarly.set(id, { landed: now, landingKey: key });
            }
          }
        }
        if (logicalId === 'MergeTriggerFunction' && outcome.ok) {
          const keys = ((event as { Records?: { s3: { object: { key: string } } }[] }).Records ?? []).map((record) => decodeObjectKey(record.s3.object.key));
          const submitted = (outcome.result as { submitted?: { jobId: string }[] }).submitted ?? [];
          for (const { jobId } of submitted) jobs.set(jobId, keys);
          // The S3 event can reach the merge trigger before validation's invocation has returned here.
          if (submitted[0]) for (const key of keys) if (!keyJobs.has(key)) keyJobs.set(key, { jobId: submitted[0].jobId, submitted: now });
        }
        return outcome;
      };

      const url = `${runtime.apiUrl}/v1/sources/transactions/records`;
      const headers = { authorization: `Bearer ${issueLocalToken(findAuthorizer(runtime.registry.model))}`, 'content-type': 'application/json' };
      const pool = transactionRecords({ count: 2000, recordBytes: sizes.recordBytes, mix: 'new', seed: 11 });
      const perRequest = Math.max(1, Math.round(sizes.freshnessRate / 10));
      const requests = Math.max(1, Math.round((sizes.freshnessSeconds * sizes.freshnessRate) / perRequest));
      log(`${sizes.freshnessRate} records/s for ${sizes.freshnessSeconds} s (${requests} requests of ${perRequest} every 100 ms), topics ${topicPrefix}*, bucket ${freshBucket}`);

      // A first request warms the ingest instance; it is not counted.
      await post(url, headers, [{ ...pool[0]!, transactionId: `FRESH-${runId}-warm` }]);
      let sent = 0;
      const failures: string[] = [];
      const inFlight = new Set<Promise<void>>();
      const started = performance.now();
      for (let index = 0; index < requests; index++) {
        const due = started + index * 100;
        if (due > performance.now()) await sleep(due - performance.now());
        const batch = Array.from({ length: perRequest }, () => ({ ...pool[sent % pool.length]!, transactionId: `FRESH-${runId}-${sent++}` }));
        const request = post(url, headers, batch).then(
          (eventIds) => {
            const accepted = Date.now();
            // The 202 can reach this process after validation already wrote the record.
            for (const id of eventIds) timelines.set(id, { accepted, ...landedEarly.get(id) });
          },
          (error: Error) => void failures.push(error.message),
        );
        inFlight.add(request);
        void request.finally(() => inFlight.delete(request));
      }
      await Promise.all(inFlight);
      if (failures.length > 0) throw new Error(`${failures.length} ingest requests failed; first: ${failures[0]}`);
      log(`sent ${sent} records; waiting until every one is in the curated table`);

      // Job records from the job service: a row is visible once its job finished. The deadline
      // only ends a stuck run: a loaded machine or a job service's first Spark job takes minutes.
      const deadline = Date.now() + Math.max(600_000, sizes.freshnessSeconds * 1000 * 4);
      const jobViews = new Map<string, JobView>();
      for (;;) {
        for (const jobId of jobs.keys()) {
          const known = jobViews.get(jobId);
          if (known && (known.status === 'succeeded' || known.status === 'failed')) continue;
          const response = await fetch(`${stackSettings.jobServiceUrl}/jobs/${jobId}`, { headers: { authorization: `Bearer ${stackSettings.jobServiceToken}` } }).catch(() => undefined);
          if (response?.ok) jobViews.set(jobId, (await response.json()) as JobView);
        }
        const failed = [...jobViews.values()].find((job) => job.status === 'failed');
        if (failed) throw new Error(`a merge job failed: ${failed.error}`);
        for (const timeline of timelines.values()) {
          const keyJob = timeline.landingKey ? keyJobs.get(timeline.landingKey) : undefined;
          if (keyJob && timeline.jobId === undefined) Object.assign(timeline, keyJob);
          const job = timeline.jobId ? jobViews.get(timeline.jobId) : undefined;
          if (job?.status === 'succeeded' && job.finishedAt) timeline.visible = Date.parse(job.finishedAt);
        }
        const waiting = [...timelines.values()].filter((timeline) => timeline.visible === undefined).length;
        if (waiting === 0) break;
        if (Date.now() > deadline) {
          const landed = [...timelines.values()].filter((t) => t.landed !== undefined).length;
          const submitted = [...timelines.values()].filter((t) => t.submitted !== undefined).length;
          throw new Error(
            `${waiting} of ${timelines.size} records not visible in time (landed ${landed}, merge submitted ${submitted})${notices.length ? `; runtime: ${notices.slice(-3).join(' | ')}` : ''}`,
          );
        }
        await sleep(500);
      }

      const durations = stageDurations([...timelines.values()]);
      const params = {
        records: timelines.size,
        ratePerSecond: sizes.freshnessRate,
        seconds: sizes.freshnessSeconds,
        mergeJobs: jobs.size,
        p50: { toLandingS: durations.toLanding.p50, toMergeJobS: durations.toJob.p50, toVisibleS: durations.toVisible.p50 },
        p95: { toLandingS: durations.toLanding.p95, toMergeJobS: durations.toJob.p95, toVisibleS: durations.toVisible.p95 },
        measures: '202 to the end of the merge job that holds the record (after its curated commit)',
      };
      const figures: Benchmark[] = [
        benchmark('freshness', durations.total.p95, 's', durations.toLanding.p95, { ...params, baselineIs: 'p95 of 202 to landing object written (ingest, Kafka, bridge, validate)' }, {
          text: '<= 10 s at p95',
          met: durations.total.p95 <= 10,
        }),
        benchmark('freshness-p50', durations.total.p50, 's', durations.toLanding.p50, { ...params, baselineIs: 'p50 of 202 to landing object written' }, {
          text: '<= 5 s at p50',
          met: durations.total.p50 <= 5,
        }),
      ];
      return figures;
    } finally {
      await runtime.stop();
      rmSync(work, { recursive: true, force: true });
      for (const topic of topics) await deleteTopic(brokers, topic).catch(() => {});
    }
  },
};

async function emptyBucket(s3: S3Client, bucket: string): Promise<void> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key! }));
    if (keys.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    token = page.NextContinuationToken;
  } while (token);
}

async function post(url: string, headers: Record<string, string>, records: Record<string, unknown>[]): Promise<string[]> {
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(records) });
  const text = await response.text();
  if (response.status !== 202) throw new Error(`ingest answered ${response.status}: ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { eventIds: string[] }).eventIds;
}
