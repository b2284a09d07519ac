import { join } from 'node:path';
import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { putRecordsSender } from '#lib/kinesis-client.ts';
import { publishToKinesis } from '#lib/stream-publisher.ts';
import { deliveryCounter, type Delivery, timeDeliveries } from '../lib/delivery.ts';
import { deleteStream, kinesisService, recreateStream, stackKinesisClient } from '../lib/kinesis-streams.ts';
import { ingestMessages, transactionRecords } from '../lib/sample.ts';
import { requireStack } from '../lib/services.ts';
import type { Stage } from '../lib/stage.ts';
import { sleep } from '../lib/timing.ts';
import { bridgeFigures, measureTrivialBridge } from './bridge.ts';
import { percentile } from '../lib/stats.ts';

const batchSize = 100;
/** The bridge's default pause before polling a shard that had nothing new; the baseline polls as often. */
const pollIntervalMs = 250;

/** Puts one batch at a time and times it from PutRecords' answer (every record durable) to delivery of its last record. */
async function timeBatches(kinesis: KinesisClient, stream: string, batches: number, delivery: Delivery, timeoutMs: number): Promise<number[]> {
  const messages = ingestMessages(transactionRecords({ count: batchSize, recordBytes: 1024, mix: 'new' })).map((message) => ({ ...message, topic: stream }));
  return timeDeliveries(() => publishToKinesis(putRecordsSender(kinesis), messages), { batches, batchSize, delivery, timeoutMs });
}

/** The baseline consumer: GetRecords on the one shard from its end, pausing `pollIntervalMs` when nothing came. */
function plainPoller(kinesis: KinesisClient, stream: string, delivery: { delivered(records: number): void }) {
  let stopped = false;
  const done = (async () => {
    const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName: stream }));
    let iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: Shards![0]!.ShardId, ShardIteratorType: 'LATEST' }))).ShardIterator;
    while (!stopped && iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: batchSize }));
      iterator = page.NextShardIterator;
      if (page.Records?.length) delivery.delivered(page.Records.length);
      else await sleep(pollIntervalMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
    },
  };
}

/**
 * The Kinesis event-source bridge of the Docker-free runtime (zero batching window, a
 * trivial function, one shard) against a plain GetRecords poller with the bridge's poll
 * interval: per batch, from PutRecords' answer to delivery of the last record (for the
 * bridge: the end of the invocation that held it; the checkpoint follows).
 */
export const bridgeKinesisStage: Stage = {
  name: 'bridge-kinesis',
  needs: 'Kinesis (npm run stack:up); the stage runs its own bridge over a benchmark-only template',
  async run({ sizes, repoRoot, log }) {
    await requireStack('bridge-kinesis', (stack) => [kinesisService(stack.kinesisEndpoint)]);
    const kinesis = await stackKinesisClient();
    const stream = `bench-bridge-${Date.now().toString(36)}`;
    const batches = sizes.bridgeBatches;
    const timeoutMs = 30_000;
    await recreateStream(kinesis, stream, 1);
    try {
      log(`baseline: a plain GetRecords poller, ${batches} batches of ${batchSize}`);
      const plainDelivery = deliveryCounter();
      const poller = plainPoller(kinesis, stream, plainDelivery);
      let plain: number[];
      try {
        await sleep(500);
        plain = await timeBatches(kinesis, stream, batches, plainDelivery, timeoutMs);
      } finally {
        await poller.stop();
      }

      log(`the runtime's bridge with a trivial function, ${batches} batches of ${batchSize}`);
      const { bridged, invocations } = await measureTrivialBridge({
        bridge: 'kinesis',
        templatePath: join(repoRoot, 'bench/fixtures/bridge-kinesis/template.yaml'),
        parameterOverrides: { StreamName: stream },
        kinesisPollIntervalMs: pollIntervalMs,
        warmEvent: { Records: [] },
        recordsOf: (event) => (event as { Records?: unknown[] }).Records?.length ?? 0,
        timeBatches: (delivery) => timeBatches(kinesis, stream, batches, delivery, timeoutMs),
      });

      const params = { batches, batchSize, batchingWindowSeconds: 0, shards: 1, pollIntervalMs, server: 'kinesalite' };
      return bridgeFigures('bridge-kinesis', { bridged, plain, invocations, params }, {
        measures: 'p95 of PutRecords-answer-to-invocation-end through the bridge minus p95 of PutRecords-answer-to-delivery of a plain GetRecords poller',
        baselineIs: 'p95 of the plain poller',
        invocation: { checkpointAfterInvokeP50Ms: Number(percentile(invocations.map((i) => i.afterInvokeMs), 50).toFixed(2)) },
      });
    } finally {
      await deleteStream(kinesis, stream).catch(() => {});
    }
  },
};
