import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { putRecordsSender } from '#lib/kinesis-client.ts';
import type { OutgoingMessage } from '#lib/record-messages.ts';
import { publishToKinesis } from '#lib/stream-publisher.ts';
import { benchmark } from '../lib/report.ts';
import { loadIngestApi, sendConcurrently } from '../lib/ingest-load.ts';
import { deleteStream, kinesisService, recreateStream, stackKinesisClient } from '../lib/kinesis-streams.ts';
import { localRuntimeOptions } from '../lib/local-runtime.ts';
import { averageValueBytes, ingestMessages, transactionRecords } from '../lib/sample.ts';
import { requireServices } from '../lib/services.ts';
import type { Stage } from '../lib/stage.ts';
import { percentile, perSecond } from '../lib/stats.ts';

/** Ingest puts into <KINESIS_STREAM_PREFIX>transactions; the benchmark's prefix keeps its records out of the pipeline. */
const benchPrefix = 'bench-';
const stream = `${benchPrefix}transactions`;
/** As many shards as the stack's streams (local-stack/stack.config.ts). */
const shards = 2;

/**
 * HTTP ingest through the Docker-free runtime's API into Kinesis (StreamEngine=kinesis,
 * PutRecords until every record is durable) against the same publisher putting the same
 * messages straight into the stream, at the same concurrency: the `ingest` stage for Kinesis.
 */
export const ingestKinesisStage: Stage = {
  name: 'ingest-kinesis',
  needs: 'Kinesis (npm run stack:up); the stage starts its own runtime API on a free port',
  async run({ sizes, repoRoot, log }) {
    const { stackSettings } = await import('../../local-stack/stack.config.ts');
    await requireServices('ingest-kinesis', [kinesisService(stackSettings.kinesisEndpoint)]);
    const kinesis = await stackKinesisClient();
    const send = putRecordsSender(kinesis);
    const batchSize = sizes.ingestBatch;
    const totalBatches = Math.max(sizes.ingestClients, Math.ceil(sizes.ingestRecords / batchSize));
    const pool = transactionRecords({ count: Math.min(10_000, totalBatches * batchSize), recordBytes: sizes.recordBytes, mix: 'new' });
    const records: Record<string, unknown>[][] = [];
    for (let index = 0; index + batchSize <= pool.length; index += batchSize) records.push(pool.slice(index, index + batchSize));
    const bodies = records.map((batch) => JSON.stringify(batch));
    const batches = records.map((batch) => ingestMessages(batch, batchSize).map((message): OutgoingMessage => ({ ...message, topic: stream })));
    log(`${totalBatches} requests of ${batchSize} records (~${averageValueBytes(batches[0]!)} bytes each), ${sizes.ingestClients} clients, stream ${stream} (${shards} shards)`);

    await recreateStream(kinesis, stream, shards);
    try {
      log('baseline: the same publisher straight to the stream');
      const direct = await sendConcurrently(Array.from({ length: sizes.ingestClients }, () => (messages: OutgoingMessage[]) => publishToKinesis(send, messages)), batches, totalBatches);

      // env.json with the ingest function's stream prefix replaced, as `sam local --env-vars` overrides a declared variable.
      const envVarsPath = join(localRuntimeOptions.stateDir, 'bench-ingest-kinesis.env.json');
      const envVars = JSON.parse(readFileSync(localRuntimeOptions.envVarsPath, 'utf8'));
      writeFileSync(envVarsPath, JSON.stringify({ ...envVars, IngestFunction: { ...envVars.IngestFunction, KINESIS_STREAM_PREFIX: benchPrefix } }));
      const parameterOverrides = { StreamEngine: 'kinesis', Stage: 'local' };
      const api = await loadIngestApi({ repoRoot, parameterOverrides, envVarsPath, bodies, batchSize, totalBatches, clients: sizes.ingestClients, log });
      const value = perSecond(api.records, api.elapsedMs);
      const baseline = perSecond(direct.records, direct.elapsedMs);
      const params = { records: api.records, batch: batchSize, clients: sizes.ingestClients, recordBytes: averageValueBytes(batches[0]!), stream, shards, server: 'kinesalite' };
      return [
        benchmark('ingest-kinesis', value, 'records/s', baseline, { ...params, baselineIs: 'publishToKinesis straight to the stream, same messages and concurrency' }, {
          text: '>= 50% of baseline',
          met: value >= 0.5 * baseline,
        }),
        benchmark('ingest-kinesis-p50-latency', percentile(api.latenciesMs, 50), 'ms', percentile(direct.latencies, 50), { ...params, baselineIs: 'publishToKinesis of the same batch' }),
        benchmark('ingest-kinesis-p99-latency', percentile(api.latenciesMs, 99), 'ms', percentile(direct.latencies, 99), { ...params, baselineIs: 'publishToKinesis of the same batch' }),
      ];
    } finally {
      await deleteStream(kinesis, stream).catch(() => {});
    }
  },
};
