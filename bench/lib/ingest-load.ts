import { join } from 'node:path';
import type { OutgoingMessage } from '#lib/record-messages.ts';
import { type LoadOutcome, postLoad } from './http-load.ts';
import { localRuntimeOptions } from './local-runtime.ts';
import { benchmark } from './report.ts';
import { averageValueBytes, ingestMessages, transactionRecords } from './sample.ts';
import type { BenchSizes } from './stage.ts';
import { percentile, perSecond } from './stats.ts';

/**
 * The ingest stages' load: request bodies of `ingestBatch` new transactions each, and the same
 * records as the messages ingest publishes to `destination` (a topic or a stream), for the baseline.
 */
export function ingestLoad(sizes: BenchSizes, destination: string) {
  const batchSize = sizes.ingestBatch;
  const totalBatches = Math.max(sizes.ingestClients, Math.ceil(sizes.ingestRecords / batchSize));
  const pool = transactionRecords({ count: Math.min(10_000, totalBatches * batchSize), recordBytes: sizes.recordBytes, mix: 'new' });
  const records: Record<string, unknown>[][] = [];
  for (let index = 0; index + batchSize <= pool.length; index += batchSize) records.push(pool.slice(index, index + batchSize));
  const batches = records.map((batch) => ingestMessages(batch, batchSize).map((message): OutgoingMessage => ({ ...message, topic: destination })));
  return { batchSize, totalBatches, bodies: records.map((batch) => JSON.stringify(batch)), batches, recordBytes: averageValueBytes(batches[0]!) };
}

/**
 * The ingest stages' figures: records/s through the API against the direct baseline (goal: at
 * least half of it, and `minimumRate` when given), and the p50 and p99 request latency.
 */
export function ingestFigures(
  name: string,
  measured: { api: LoadOutcome; direct: { elapsedMs: number; latencies: number[]; records: number } },
  params: Record<string, unknown>,
  texts: { baselineIs: string; latencyBaselineIs: string; minimumRate?: number },
) {
  const { api, direct } = measured;
  const value = perSecond(api.records, api.elapsedMs);
  const baseline = perSecond(direct.records, direct.elapsedMs);
  const { minimumRate } = texts;
  const latencyParams = { ...params, baselineIs: texts.latencyBaselineIs };
  return [
    benchmark(name, value, 'records/s', baseline, { ...params, baselineIs: texts.baselineIs }, {
      text: minimumRate === undefined ? '>= 50% of baseline' : `>= 50% of baseline and >= ${minimumRate} records/s`,
      met: value >= 0.5 * baseline && (minimumRate === undefined || value >= minimumRate),
    }),
    benchmark(`${name}-p50-latency`, percentile(api.latenciesMs, 50), 'ms', percentile(direct.latencies, 50), latencyParams),
    benchmark(`${name}-p99-latency`, percentile(api.latenciesMs, 99), 'ms', percentile(direct.latencies, 99), latencyParams),
  ];
}

/**
 * The baseline of the ingest stages: one sender per client (as one per function instance),
 * each sending one batch at a time until `totalBatches` are sent; each sender sends a batch
 * first, as a warm instance has its connections.
 */
export async function sendConcurrently(senders: ((batch: OutgoingMessage[]) => Promise<unknown>)[], batches: OutgoingMessage[][], totalBatches: number) {
  await Promise.all(senders.map((send) => send(batches[0]!)));
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    senders.map(async (send) => {
      while (next < totalBatches) {
        const batch = batches[next++ % batches.length]!;
        const sentAt = performance.now();
        await send(batch);
        latencies.push(performance.now() - sentAt);
      }
    }),
  );
  return { elapsedMs: performance.now() - started, latencies, records: latencies.length * batches[0]!.length };
}

/**
 * Starts the runtime's API over template.yaml with these parameters (and env-vars file),
 * warms `clients` instances, then posts `totalBatches` request bodies of transactions.
 */
export async function loadIngestApi(options: {
  repoRoot: string;
  parameterOverrides: Record<string, string>;
  envVarsPath?: string;
  bodies: string[];
  batchSize: number;
  totalBatches: number;
  clients: number;
  log: (text: string) => void;
}): Promise<LoadOutcome> {
  const { findAuthorizer, issueLocalToken, loadTemplate, startRuntimeProcess } = await import('@ledgerflow/lambda-runtime');
  const { parameterOverrides, bodies, batchSize, clients } = options;
  const model = loadTemplate({ templatePath: join(options.repoRoot, 'template.yaml'), parameterOverrides });
  const runtime = await startRuntimeProcess({
    command: 'api',
    args: [
      '--env-vars', options.envVarsPath ?? localRuntimeOptions.envVarsPath,
      '--state-dir', localRuntimeOptions.stateDir,
      '--parameter-overrides', ...Object.entries(parameterOverrides).map(([name, value]) => `${name}=${value}`),
    ],
    instances: clients,
    cwd: options.repoRoot,
  });
  try {
    const url = `${runtime.url}/v1/sources/transactions/records`;
    const headers = { authorization: `Bearer ${issueLocalToken(findAuthorizer(model))}`, 'content-type': 'application/json' };
    options.log(`warming ${clients} instances`);
    const warm = await postLoad({ url, bodies, recordsPerBody: batchSize, totalRequests: clients * 2, clients, headers });
    if (warm.errors.length > 0) {
      throw new Error(`the ingest API answered ${warm.errors[0]!.status}: ${warm.errors[0]!.body}${runtime.outputTail() ? ` (runtime output: ${runtime.outputTail().trim().split('\n').slice(-3).join(' | ')})` : ''}`);
    }
    options.log('through the local API');
    const api = await postLoad({ url, bodies, recordsPerBody: batchSize, totalRequests: options.totalBatches, clients, headers });
    if (api.errors.length > 0) throw new Error(`${api.errors.length} of ${api.requests} requests failed; first: ${api.errors[0]!.status} ${api.errors[0]!.body}`);
    return api;
  } finally {
    await runtime.stop();
  }
}
