import { join } from 'node:path';
import type { OutgoingMessage } from '#lib/record-messages.ts';
import { type LoadOutcome, postLoad } from './http-load.ts';
import { localRuntimeOptions } from './local-runtime.ts';

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
