import type { OutgoingMessage } from '#lib/record-messages.ts';
import { createRecordProducer } from '#lib/kafka.ts';
import { topicForSource } from '#lib/topics.ts';
import { benchmark } from '../lib/report.ts';
import { loadIngestApi, sendConcurrently } from '../lib/ingest-load.ts';
import { deleteTopic, recreateTopic } from '../lib/kafka-admin.ts';
import { averageValueBytes, ingestMessages, transactionRecords } from '../lib/sample.ts';
import { kafkaService, requireServices } from '../lib/services.ts';
import type { Stage } from '../lib/stage.ts';
import { percentile, perSecond } from '../lib/stats.ts';

/** Ingest publishes to <TopicPrefix>transactions; the benchmark's prefix keeps its records out of the pipeline. */
const benchPrefix = 'bench.';
const topic = topicForSource(benchPrefix, 'transactions');

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let index = 0; index < items.length; index += size) chunks.push(items.slice(index, index + size));
  return chunks;
}

/** The baseline: `clients` producers (one per function instance), each sending one batch at a time. */
async function produceDirect(brokers: string[], batches: OutgoingMessage[][], totalBatches: number, clients: number) {
  const producers = Array.from({ length: clients }, (_, index) => createRecordProducer({ clientId: `bench-direct-${index}`, brokers }));
  try {
    return await sendConcurrently(producers.map((producer) => (messages: OutgoingMessage[]) => producer.send({ messages })), batches, totalBatches);
  } finally {
    await Promise.allSettled(producers.map((producer) => producer.close()));
  }
}

/**
 * HTTP ingest through the Docker-free runtime's API into Kafka (acks=all) against the
 * same producer sending the same messages straight to the broker.
 */
export const ingestStage: Stage = {
  name: 'ingest',
  needs: 'Kafka (npm run stack:up); the stage starts its own runtime API on a free port',
  async run({ sizes, repoRoot, log }) {
    const { stackSettings } = await import('../../local-stack/stack.config.ts');
    await requireServices('ingest', [kafkaService(stackSettings.kafkaPort)]);
    const brokers = stackSettings.kafkaBrokers;
    const batchSize = sizes.ingestBatch;
    const totalBatches = Math.max(sizes.ingestClients, Math.ceil(sizes.ingestRecords / batchSize));
    const pool = transactionRecords({ count: Math.min(10_000, totalBatches * batchSize), recordBytes: sizes.recordBytes, mix: 'new' });
    const records = chunk(pool, batchSize).filter((batch) => batch.length === batchSize);
    const bodies = records.map((batch) => JSON.stringify(batch));
    const batches = records.map((batch) => ingestMessages(batch, batchSize).map((message) => ({ ...message, topic })));
    log(`${totalBatches} requests of ${batchSize} records (~${averageValueBytes(batches[0]!)} bytes each), ${sizes.ingestClients} clients, topic ${topic}`);

    await recreateTopic(brokers, topic, stackSettings.kafkaPartitions);
    try {
      log('baseline: the same producer straight to the broker');
      const direct = await produceDirect(brokers, batches, totalBatches, sizes.ingestClients);

      const api = await loadIngestApi({ repoRoot, parameterOverrides: { TopicPrefix: benchPrefix }, bodies, batchSize, totalBatches, clients: sizes.ingestClients, log });
      const value = perSecond(api.records, api.elapsedMs);
      const baseline = perSecond(direct.records, direct.elapsedMs);
      const params = { records: api.records, batch: batchSize, clients: sizes.ingestClients, recordBytes: averageValueBytes(batches[0]!), acks: 'all', topic };
      return [
        benchmark('ingest', value, 'records/s', baseline, { ...params, baselineIs: 'createRecordProducer straight to the broker, same messages and concurrency' }, {
          text: '>= 50% of baseline and >= 30000 records/s',
          met: value >= 0.5 * baseline && value >= 30_000,
        }),
        benchmark('ingest-p50-latency', percentile(api.latenciesMs, 50), 'ms', percentile(direct.latencies, 50), { ...params, baselineIs: 'producer.send of the same batch' }),
        benchmark('ingest-p99-latency', percentile(api.latenciesMs, 99), 'ms', percentile(direct.latencies, 99), { ...params, baselineIs: 'producer.send of the same batch' }),
      ];
    } finally {
      await deleteTopic(brokers, topic).catch(() => {});
    }
  },
};
