import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, HeadBucketCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { toNdjson } from '#contracts/lake.ts';
import { entities, landingObjects, updates } from '../lib/landing.ts';
import { type Benchmark, benchmark } from '../lib/report.ts';
import { minioService, requireServices, runCommand } from '../lib/services.ts';
import { StageUnavailableError, type Stage, type StageContext } from '../lib/stage.ts';
import { perSecond } from '../lib/stats.ts';
import { sleep } from '../lib/timing.ts';

/** The benchmarks' own bucket: the pipeline's tables in the lake bucket are never touched. */
const benchBucket = 'ledgerflow-bench';
const chunkRows = 10_000;

/** "merge" is the 100,000-row headline; other sizes are named by their size. */
export function mergeFigureName(rows: number): string {
  if (rows === 100_000) return 'merge';
  if (rows % 1_000_000 === 0) return `merge-${rows / 1_000_000}m`;
  if (rows % 1_000 === 0) return `merge-${rows / 1_000}k`;
  return `merge-${rows}`;
}

async function putAll(s3: S3Client, objects: { key: string; body: string }[], concurrency = 8): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < objects.length) {
        const object = objects[next++]!;
        await s3.send(new PutObjectCommand({ Bucket: benchBucket, Key: object.key, Body: object.body, ContentType: 'application/x-ndjson' }));
      }
    }),
  );
}

async function exists(s3: S3Client, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: benchBucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

/** Seed entities chunk by chunk (each chunk its own generator seed), so a million rows never sit in memory at once. */
function seedChunk(chunk: number, tableRows: number) {
  const first = chunk * chunkRows;
  return entities(first, Math.min(chunkRows, tableRows - first), 1000 + chunk);
}

async function writeSeed(s3: S3Client, tableRows: number, seedId: string, log: StageContext['log']): Promise<string[]> {
  const keys: string[] = [];
  const marker = `bench/seed-${seedId}.json`;
  const written = await exists(s3, marker);
  if (!written) log(`writing ${tableRows} seed rows as landing objects to s3://${benchBucket}`);
  for (let chunk = 0; chunk * chunkRows < tableRows; chunk++) {
    const objects = landingObjects(seedChunk(chunk, tableRows), chunk * chunkRows);
    keys.push(...objects.map((object) => object.key));
    if (!written) await putAll(s3, objects.map((object) => ({ key: object.key, body: toNdjson(object.lines) })));
  }
  if (!written) await s3.send(new PutObjectCommand({ Bucket: benchBucket, Key: marker, Body: JSON.stringify({ tableRows, objects: keys.length }) }));
  return keys;
}

/** Half updates of seeded entities (newer versions), half new entities. */
async function writeRun(s3: S3Client, rows: number, tableRows: number, runIndex: number, firstOffset: number): Promise<string[]> {
  const keys: string[] = [];
  const updateRows = Math.min(Math.floor(rows / 2), tableRows);
  let offset = firstOffset;
  for (let chunk = 0; chunk * chunkRows < updateRows; chunk++) {
    const previous = seedChunk(chunk, tableRows).slice(0, updateRows - chunk * chunkRows);
    const objects = landingObjects(updates(previous, 5000 + runIndex * 100 + chunk), offset);
    offset += previous.length;
    keys.push(...objects.map((object) => object.key));
    await putAll(s3, objects.map((object) => ({ key: object.key, body: toNdjson(object.lines) })));
  }
  const insertRows = rows - updateRows;
  const firstNew = tableRows + 10_000_000 * (runIndex + 1);
  for (let done = 0; done < insertRows; done += chunkRows) {
    const records = entities(firstNew + done, Math.min(chunkRows, insertRows - done), 9000 + runIndex * 100 + done / chunkRows);
    const objects = landingObjects(records, offset);
    offset += records.length;
    keys.push(...objects.map((object) => object.key));
    await putAll(s3, objects.map((object) => ({ key: object.key, body: toNdjson(object.lines) })));
  }
  return keys;
}

interface MergeRunOutput {
  rows: number;
  mergeMs: number;
  appendMs: number;
  result: { timingsMs?: Record<string, number>; curatedInserted?: number; curatedUpdated?: number; rawRowsLoaded?: number };
}

interface MergeBenchOutput {
  seed: { rows: number; curatedRows: number; reused?: boolean; seededMs?: number };
  sessionStartMs: number;
  warmupMs: number;
  runs: MergeRunOutput[];
}

async function measureMerges(context: StageContext): Promise<Benchmark[]> {
  const { sizes, repoRoot, log } = context;
  const { stackSettings } = await import('../../local-stack/stack.config.ts');
  const { sparkEnvironment } = await import('@ledgerflow/local-services');
  const python = stackSettings.paths.venvPython;
  if (!existsSync(python)) throw new StageUnavailableError(`merge needs the Spark venv at ${python} (npm run stack:install)`);
  const { lakeClient } = await import('../../tools/pipeline/settle.ts');
  const s3 = lakeClient();
  try {
    await s3.send(new HeadBucketCommand({ Bucket: benchBucket })).catch(() => s3.send(new CreateBucketCommand({ Bucket: benchBucket })));
    const tableRows = sizes.mergeTableRows;
    const seedId = `t${tableRows}-v1`;
    const seedKeys = await writeSeed(s3, tableRows, seedId, log);
    // Tiny runs only prove the path works: the seed merge warms the session well enough.
    const warmupRows = Math.min(1000, Math.max(100, Math.floor(tableRows / 100)));
    const warmupKeys = context.tiny || tableRows === 0 ? [] : await writeRun(s3, warmupRows, tableRows, 99, 50_000_000_000);
    const runs = [];
    for (const [index, rows] of sizes.mergeRows.entries()) {
      log(`writing ${rows} source rows (half updates of seeded keys, half new keys)`);
      runs.push({ rows, keys: await writeRun(s3, rows, tableRows, index, 60_000_000_000 + index * 2_000_000_000) });
    }
    const work = mkdtempSync(join(tmpdir(), 'ledgerflow-merge-bench-'));
    try {
      const manifest = join(work, 'manifest.json');
      writeFileSync(manifest, JSON.stringify({ bucket: benchBucket, source: 'transactions', seed: { id: seedId, rows: tableRows, keys: seedKeys }, warmup: { keys: warmupKeys }, runs }));
      log(`Spark: seed (once), warm-up, then ${sizes.mergeRows.join(', ')} rows into a ${tableRows}-row curated table`);
      const outcome = await runCommand(python, [join(repoRoot, 'bench/merge_bench.py'), manifest], {
        cwd: repoRoot,
        env: { ...sparkEnvironment(stackSettings), PYTHONPATH: join(repoRoot, 'spark') },
        timeoutMs: 60 * 60_000,
      });
      if (outcome.code !== 0) {
        const tail = outcome.stderr.trim().split('\n').filter((line) => /Error|Exception|error:/.test(line)).slice(-4).join(' | ');
        throw new Error(`bench/merge_bench.py exited with ${outcome.code}: ${tail || outcome.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      }
      const output = JSON.parse(outcome.stdout.trim().split('\n').at(-1)!) as MergeBenchOutput;
      if (tableRows > 0 && output.seed.curatedRows !== tableRows) throw new Error(`the seeded curated table holds ${output.seed.curatedRows} rows, not ${tableRows}`);
      log(`session ${output.sessionStartMs} ms, seed ${output.seed.reused ? 'reused' : `${output.seed.seededMs} ms`}, warm-up ${output.warmupMs} ms`);
      return output.runs.map((run) =>
        benchmark(mergeFigureName(run.rows), perSecond(run.rows, run.mergeMs), 'rows/s', perSecond(run.rows, run.appendMs), {
          sourceRows: run.rows,
          tableRows,
          mergeMs: Math.round(run.mergeMs),
          appendMs: Math.round(run.appendMs),
          inserted: run.result.curatedInserted,
          updated: run.result.curatedUpdated,
          stepsMs: run.result.timingsMs,
          measures: 'run_merge (raw append with lineage, de-duplication, MERGE into curated) in a warm session, tables restored to the seeded version first',
          baselineIs: 'plain Delta append of the same landing lines',
        }),
      );
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  } finally {
    s3.destroy();
  }
}

/** Seconds until a fresh job service answers /health with 200, against a bare Spark session's first action. */
async function measureJobServiceColdStart(context: StageContext): Promise<Benchmark[]> {
  const { repoRoot, log } = context;
  const { stackSettings } = await import('../../local-stack/stack.config.ts');
  const { sparkEnvironment } = await import('@ledgerflow/local-services');
  const python = stackSettings.paths.venvPython;
  if (!existsSync(join(repoRoot, 'spark/ledgerflow_spark/job_service.py'))) throw new Error('spark/ledgerflow_spark/job_service.py does not exist');
  const env = { ...sparkEnvironment(stackSettings), PYTHONPATH: join(repoRoot, 'spark') };

  const bareSession = () =>
    runCommand(python, ['-c', "from pyspark.sql import SparkSession; s = SparkSession.builder.master('local[*]').config('spark.ui.enabled', 'false').getOrCreate(); s.range(1).count(); s.stop()"], { cwd: repoRoot, env, timeoutMs: 300_000 });
  // A tiny run only proves the path: it leaves the baseline (one more JVM) to full runs.
  let bare: Awaited<ReturnType<typeof bareSession>> | undefined;
  if (!context.tiny) {
    log('baseline: a bare local Spark session and one action');
    bare = await bareSession();
    if (bare.code !== 0) throw new Error(`a bare Spark session did not start: ${bare.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  }

  const port = 3000 + 100 + Math.floor(Math.random() * 800);
  log(`a fresh job service on 127.0.0.1:${port}`);
  const { spawn } = await import('node:child_process');
  const started = performance.now();
  const child = spawn(python, ['-m', 'ledgerflow_spark.job_service', '--host', '127.0.0.1', '--port', String(port)], { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'], detached: false });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  try {
    let readyMs: number | undefined;
    while (performance.now() - started < 300_000) {
      if (child.exitCode !== null) throw new Error(`the job service exited with ${child.exitCode}: ${stderr.trim().split('\n').slice(-2).join(' | ')}`);
      const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
      if (response?.status === 200) {
        readyMs = performance.now() - started;
        break;
      }
      await sleep(200);
    }
    if (readyMs === undefined) throw new Error('the job service did not become healthy within 300 s');
    return [
      benchmark('job-service-cold-start', readyMs / 1000, 's', bare ? bare.elapsedMs / 1000 : null, {
        measures: 'process start to GET /health 200 (Spark session with Delta and s3a, warm-up MERGE)',
        baselineIs: 'python starting a bare local Spark session and running one action',
        ...(context.tiny ? { note: 'tiny run: no baseline; job service and merge started side by side' } : {}),
      }),
    ];
  } finally {
    child.kill('SIGTERM');
    await Promise.race([new Promise((resolve) => child.once('exit', resolve)), sleep(20_000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/**
 * Warm Delta MERGE of source rows into a seeded curated table, through the merge the
 * job service runs, against a plain Delta append; and the job service's cold start.
 */
export const mergeStage: Stage = {
  name: 'merge',
  needs: 'MinIO and the Spark venv (npm run stack:up)',
  async run(context) {
    const { stackSettings } = await import('../../local-stack/stack.config.ts');
    await requireServices('merge', [minioService(stackSettings.minioPort)]);
    const coldStart = () =>
      measureJobServiceColdStart(context).catch((error: Error) => {
        context.fail(`job-service-cold-start: ${error.message}`);
        return [] as Benchmark[];
      });
    // A tiny run only proves both paths work, so it runs them side by side; a full run one after the other.
    if (context.tiny) {
      const [merges, service] = await Promise.all([measureMerges(context), coldStart()]);
      return [...merges, ...service];
    }
    const merges = await measureMerges(context);
    return [...merges, ...(await coldStart())];
  },
};
