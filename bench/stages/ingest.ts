import type { OutgoingMessage } from '#lib/record-messages.ts';
import { createRecordProducer } from '#lib/kafka.ts';
import { topicForSource } from '#lib/topics.ts';
import { ingestFigures, ingestLoad, loadIngestApi, sendConcurrently } from '../lib/ingest-load.ts';
import { deleteTopic, recreateTopic } from '../../tools/pipeline/kafka-admin.ts';
import { kafkaService, requireStack } from '../lib/services.ts';
import type { Stage } from '../lib/stage.ts';

/** Ingest publishes to <TopicPrefix>transactions; the benchmark's prefix keeps its records out of the pipeline. */
const benchPrefix = 'bench.';
const topic = topicForSource(benchPrefix, 'transactions');

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
    const stackSettings = await requireStack('ingest', (stack) => [kafkaService(stack.kafkaPort)]);
    const brokers = stackSettings.kafkaBrokers;
    const { batchSize, totalBatches, bodies, batches, recordBytes } = ingestLoad(sizes, topic);
    log(`${totalBatches} requests of ${batchSize} records (~${recordBytes} bytes each), ${sizes.ingestClients} clients, topic ${topic}`);

    await recreateTopic(brokers, topic, stackSettings.kafkaPartitions);
    try {
      log('baseline: the same producer straight to the broker');
      const direct = await produceDirect(brokers, batches, totalBatches, sizes.ingestClients);

      const api = await loadIngestApi({ repoRoot, parameterOverrides: { TopicPrefix: benchPrefix }, bodies, batchSize, totalBatches, clients: sizes.ingestClients, log });
      const params = { records: api.records, batch: batchSize, clients: sizes.ingestClients, recordBytes, acks: 'all', topic };
      return ingestFigures('ingest', { api, direct }, params, {
        baselineIs: 'createRecordProducer straight to the broker, same messages and concurrency',
        latencyBaselineIs: 'producer.send of the same batch',
        minimumRate: 30_000,
      });
    } finally {
      await deleteTopic(brokers, topic).catch(() => {});
    }
  },
};
