import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { putRecordsSender } from '#lib/kinesis-client.ts';
import type { OutgoingMessage } from '#lib/record-messages.ts';
import { publishToKinesis } from '#lib/stream-publisher.ts';
import { ingestFigures, ingestLoad, loadIngestApi, sendConcurrently } from '../lib/ingest-load.ts';
import { deleteStream, kinesisService, recreateStream, stackKinesisClient } from '../lib/kinesis-streams.ts';
import { localRuntimeOptions } from '../lib/local-runtime.ts';
import { requireStack } from '../lib/services.ts';
import type { Stage } from '../lib/stage.ts';

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
    await requireStack('ingest-kinesis', (stack) => [kinesisService(stack.kinesisEndpoint)]);
    const kinesis = await stackKinesisClient();
    const send = putRecordsSender(kinesis);
    const { batchSize, totalBatches, bodies, batches, recordBytes } = ingestLoad(sizes, stream);
    log(`${totalBatches} requests of ${batchSize} records (~${recordBytes} bytes each), ${sizes.ingestClients} clients, stream ${stream} (${shards} shards)`);

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
      const params = { records: api.records, batch: batchSize, clients: sizes.ingestClients, recordBytes, stream, shards, server: 'kinesalite' };
      return ingestFigures('ingest-kinesis', { api, direct }, params, {
        baselineIs: 'publishToKinesis straight to the stream, same messages and concurrency',
        latencyBaselineIs: 'publishToKinesis of the same batch',
      });
    } finally {
      await deleteStream(kinesis, stream).catch(() => {});
    }
  },
};
