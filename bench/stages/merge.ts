import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, HeadBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { toNdjson } from '#contracts/lake.ts';
import { entities, landingObjects } from '../lib/landing.ts';
import { type Benchmark, benchmark } from '../lib/report.ts';
import { minioService, requireStack, runCommand } from '../lib/services.ts';
import { StageUnavailableError, type Stage, type StageContext } from '../lib/stage.ts';
import { perSecond } from '../lib/stats.ts';
import { sleep } from '../lib/timing.ts';

/** The benchmarks' own bucket: the pipeline's tables in the lake bucket are never touched. */
const benchBucket = 'ledgerflow-bench';

/** A row count as a figure name's part: 10000 -> "10k", 10000000 -> "10m". */
export function countName(rows: number): string {
  if (rows % 1_000_000 === 0) return `${rows / 1_000_000}m`;
  if (rows % 1_000 === 0) return `${rows / 1_000}k`;
  return String(rows);
}

/** "merge-10k-into-10m": source rows merged into a curated table of that many rows. */
export function mergeFigureName(sourceRows: number, tableRows: number): string {
  return `merge-${countName(sourceRows)}-into-${countName(tableRows)}`;
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

/**
 * The source rows for a table of `tableRows` seeded keys (TX-000000000 on, seeded by
 * merge_bench.py): 20% newer versions of the newest seeded keys, 80% new keys; written as
 * landing objects under the table's own prefix. Returns their keys.
 */
async function writeSourceRows(s3: S3Client, prefix: string, sourceRows: number, tableRows: number): Promise<string[]> {
  const updateRows = Math.min(Math.floor(sourceRows / 5), tableRows);
  const records = [...entities(tableRows - updateRows, updateRows, 5000), ...entities(tableRows, sourceRows - updateRows, 9000)];
  const objects = landingObjects(records, 0).map((object) => ({ key: `${prefix}/${object.key}`, body: toNdjson(object.lines) }));
  await putAll(s3, objects);
  return objects.map((object) => object.key.slice(prefix.length + 1));
}

interface MergeTableOutput {
  rows: number;
  sourceRows: number;
  seed: { rows: number; curatedRows: number; files: number; reused?: boolean; seededMs?: number };
  mergeMs: number;
  plainMergeMs: number;
  filesAfter: number;
  result: { timingsMs?: Record<string, number>; curatedInserted?: number; curatedUpdated?: number };
}

interface MergeBenchOutput {
  sessionStartMs: number;
  warmupMs: number;
  tables: MergeTableOutput[];
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
    const sourceRows = sizes.mergeRows[0]!;
    // The scaling pair: a table and one ten times larger (a tiny run: 1,000 and 10,000 rows).
    const smaller = sizes.mergeTableRows || 1_000;
    const tables = [];
    for (const rows of [smaller, smaller * 10]) {
      const prefix = `t${rows}`;
      log(`writing ${sourceRows} source rows for the ${rows}-row table (80% new keys, 20% updates of the newest)`);
      tables.push({ rows, sourceRows, prefix, seedId: `t${rows}-v3`, keys: await writeSourceRows(s3, prefix, sourceRows, rows) });
    }
    const work = mkdtempSync(join(tmpdir(), 'ledgerflow-merge-bench-'));
    try {
      const manifest = join(work, 'manifest.json');
      // A tiny run only proves the path: no warm-up, whose only use is fair timings.
      writeFileSync(manifest, JSON.stringify({ bucket: benchBucket, tables, warmup: !context.tiny }));
      log(`Spark: seed (once), ${context.tiny ? 'no warm-up (tiny)' : 'warm-up'}, then ${sourceRows} rows into ${tables.map((table) => table.rows).join(' and ')}-row curated tables`);
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
      for (const table of output.tables) {
        if (table.seed.curatedRows !== table.rows) throw new Error(`the seeded curated table holds ${table.seed.curatedRows} rows, not ${table.rows}`);
      }
      log(`session ${output.sessionStartMs} ms, warm-up ${output.warmupMs} ms`);
      return mergeFigures(output.tables);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  } finally {
    s3.destroy();
  }
}

/** merge-<n>-into-<table> per table, merge-scaling (larger / smaller) and merge-vs-plain (on the larger table). */
export function mergeFigures(tables: MergeTableOutput[]): Benchmark[] {
  const figures = tables.map((table, index) =>
    benchmark(
      mergeFigureName(table.sourceRows, table.rows),
      table.mergeMs / 1000,
      's',
      table.plainMergeMs / 1000,
      {
        sourceRows: table.sourceRows,
        tableRows: table.rows,
        seedFiles: table.seed.files,
        filesAfter: table.filesAfter,
        inserted: table.result.curatedInserted,
        updated: table.result.curatedUpdated,
        stepsMs: table.result.timingsMs,
        measures: 'run_merge (claim, raw append with lineage, de-duplication, MERGE into curated, done) in a warm session, curated restored to its seed first',
        baselineIs: 'a plain Delta MERGE of the same rows on the business key, same session and table',
      },
      index === tables.length - 1 ? { text: '<= 15 s', met: table.mergeMs <= 15_000 } : undefined,
    ),
  );
  const [smaller, larger] = [tables[0]!, tables.at(-1)!];
  const scaling = larger.mergeMs / smaller.mergeMs;
  figures.push(
    benchmark('merge-scaling', scaling, 'x', null, { tables: [smaller.rows, larger.rows], measures: `merge time into the ${countName(larger.rows)}-row table / into the ${countName(smaller.rows)}-row table` }, {
      text: '<= 1.5',
      met: scaling <= 1.5,
    }),
    benchmark('merge-vs-plain', perSecond(larger.sourceRows, larger.mergeMs), 'rows/s', perSecond(larger.sourceRows, larger.plainMergeMs), { tableRows: larger.rows, baselineIs: 'plain Delta MERGE on the business key, rows/s' }, {
      text: 'ratio >= 0.5',
      met: larger.plainMergeMs / larger.mergeMs >= 0.5,
    }),
  );
  return figures;
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
  // No sweep: this second service must not merge the stack's lake beside the stack's own.
  const child = spawn(python, ['-m', 'ledgerflow_spark.job_service', '--host', '127.0.0.1', '--port', String(port), '--sweep-seconds', '0'], { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'], detached: false });
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
        measures: 'process start to GET /health 200 (Spark session with Delta and s3a; the warm-up MERGE runs after)',
        baselineIs: 'python starting a bare local Spark session and running one action',
        ...(context.tiny ? { note: 'tiny run: no baseline; job service and merge started side by side' } : {}),
      }, bare ? { text: '<= 1.5 x baseline', met: readyMs / bare.elapsedMs <= 1.5 } : undefined),
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
    await requireStack('merge', (stack) => [minioService(stack.minioPort)]);
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
