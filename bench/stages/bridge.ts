import { join } from 'node:path';
import { Consumer, type Message } from '@platformatic/kafka';
import type { BatchReport } from '@ledgerflow/lambda-runtime';
import { createRecordProducer } from '#lib/kafka.ts';
import { deliveryCounter, type Delivery, timeDeliveries } from '../lib/delivery.ts';
import { benchmark } from '../lib/report.ts';
import { localRuntimeOptions } from '../lib/local-runtime.ts';
import { deleteTopic, recreateTopic } from '../../tools/pipeline/kafka-admin.ts';
import { ingestMessages, transactionRecords } from '../lib/sample.ts';
import { kafkaService, requireStack } from '../lib/services.ts';
import type { Stage } from '../lib/stage.ts';
import { percentile } from '../lib/stats.ts';
import { sleep } from '../lib/timing.ts';

const batchSize = 100;

/**
 * Produces one batch at a time and times it from the producer's acknowledgement
 * (acks=all: the records are fetchable) to delivery of its last record.
 */
async function timeBatches(brokers: string[], topic: string, batches: number, delivery: Delivery, timeoutMs: number): Promise<number[]> {
  const producer = createRecordProducer({ clientId: 'ledgerflow-bench-bridge', brokers });
  const messages = ingestMessages(transactionRecords({ count: batchSize, recordBytes: 1024, mix: 'new' })).map((message) => ({ ...message, topic, partition: 0 }));
  try {
    return await timeDeliveries(() => producer.send({ messages }), { batches, batchSize, delivery, timeoutMs });
  } finally {
    await producer.close();
  }
}

/**
 * The Kafka event-source bridge of the Docker-free runtime (zero batching window, a
 * trivial function) against a plain consumer of the same client with the bridge's fetch
 * settings: per batch, from the producer's acknowledgement to delivery of the last record
 * (for the bridge: the end of the invocation that held it; the offset commit follows).
 */
export const bridgeStage: Stage = {
  name: 'bridge',
  needs: 'Kafka (npm run stack:up); the stage runs its own bridge over a benchmark-only template',
  async run({ sizes, repoRoot, log }) {
    const stackSettings = await requireStack('bridge', (stack) => [kafkaService(stack.kafkaPort)]);
    const brokers = stackSettings.kafkaBrokers;
    const runId = Date.now().toString(36);
    const topic = 'bench.bridge';
    const batches = sizes.bridgeBatches;
    const timeoutMs = 30_000;
    await recreateTopic(brokers, topic, 1);
    try {
      log(`baseline: a plain consumer, ${batches} batches of ${batchSize}`);
      const plainDelivery = deliveryCounter();
      // Buffers, as the bridge consumes: delivery without deserialising, like the bridge's own consumer.
      const consumer = new Consumer({ groupId: `bench-plain-${runId}`, clientId: 'ledgerflow-bench-plain', bootstrapBrokers: brokers });
      let plain: number[];
      try {
        const stream = await consumer.consume({ topics: [topic], autocommit: false, mode: 'latest', maxWaitTime: 500, sessionTimeout: 10_000, heartbeatInterval: 1000 });
        stream.on('data', (_message: Message<Buffer, Buffer, Buffer, Buffer>) => plainDelivery.delivered(1));
        await sleep(1500); // group join and first fetch
        plain = await timeBatches(brokers, topic, batches, plainDelivery, timeoutMs);
        await stream.close();
      } finally {
        await consumer.close().catch(() => {});
      }

      log(`the runtime's bridge with a trivial function, ${batches} batches of ${batchSize}`);
      const { bridged, invocations } = await measureTrivialBridge({
        bridge: 'kafka',
        templatePath: join(repoRoot, 'bench/fixtures/bridge/template.yaml'),
        parameterOverrides: { BootstrapServers: brokers.join(','), Topic: topic, ConsumerGroupId: `bench-bridge-${runId}` },
        warmEvent: { records: {} },
        recordsOf: (event) => Object.values((event as { records?: Record<string, unknown[]> }).records ?? {}).reduce((sum, records) => sum + records.length, 0),
        timeBatches: (delivery) => timeBatches(brokers, topic, batches, delivery, timeoutMs),
      });

      const params = { batches, batchSize, batchingWindowSeconds: 0, partitions: 1, fetchMaxWaitMs: 500 };
      return bridgeFigures('bridge', { bridged, plain, invocations, params }, {
        measures: 'p95 of acknowledgement-to-invocation-end through the bridge minus p95 of acknowledgement-to-delivery of a plain consumer',
        baselineIs: 'p95 of the plain consumer',
        invocation: { commitAfterInvokeP50Ms: Number(percentile(invocations.map((i) => i.afterInvokeMs), 50).toFixed(2)) },
      });
    } finally {
      await deleteTopic(brokers, topic).catch(() => {});
    }
  },
};

/**
 * The figures of a bridge stage: added latency at p95 over the plain consumer, p50, and
 * the median invocation with its dispatch delay.
 */
export function bridgeFigures(
  name: string,
  run: { bridged: number[]; plain: number[]; invocations: { dispatchDelayMs: number; invokeMs: number }[]; params: Record<string, unknown> & { batches: number } },
  texts: { measures: string; baselineIs: string; invocation?: Record<string, unknown> },
) {
  const { bridged, plain, invocations, params } = run;
  const plainP95 = percentile(plain, 95);
  const bridgeP95 = percentile(bridged, 95);
  return [
    benchmark(name, bridgeP95 - plainP95, 'ms', plainP95, { ...params, bridgeP95Ms: Number(bridgeP95.toFixed(2)), measures: texts.measures, baselineIs: texts.baselineIs }, {
      text: '< 50 ms added at p95',
      met: bridgeP95 - plainP95 < 50,
    }),
    benchmark(`${name}-p50-latency`, percentile(bridged, 50), 'ms', percentile(plain, 50), params),
    benchmark(`${name}-invoke`, percentile(invocations.map((i) => i.invokeMs), 50), 'ms', null, {
      ...params,
      measures: 'median time of one invocation of the trivial function through the bridge (event building, hand-over to the instance thread, handler)',
      dispatchDelayP50Ms: Number(percentile(invocations.map((i) => i.dispatchDelayMs), 50).toFixed(2)),
      invocationsPerBatch: Number((invocations.length / params.batches).toFixed(2)),
      ...texts.invocation,
    }),
  ];
}

/**
 * Runs a benchmark-only template's trivial function behind one bridge of the runtime and
 * times batches through it. Delivery is the end of the invocation that held the records;
 * the commit or checkpoint follows it (`afterInvokeMs`, up to the bridge's batch report).
 */
export async function measureTrivialBridge(options: {
  bridge: 'kafka' | 'kinesis';
  templatePath: string;
  parameterOverrides: Record<string, string>;
  kinesisPollIntervalMs?: number;
  /** An event of the source's shape with no records, to start a warm instance. */
  warmEvent: unknown;
  recordsOf: (event: unknown) => number;
  timeBatches: (delivery: Delivery) => Promise<number[]>;
}): Promise<{ bridged: number[]; invocations: { dispatchDelayMs: number; invokeMs: number; afterInvokeMs: number }[] }> {
  const { startLocalRuntime } = await import('@ledgerflow/lambda-runtime');
  const delivery = deliveryCounter();
  const invocations: { dispatchDelayMs: number; invokeMs: number; afterInvokeMs: number }[] = [];
  const failures: string[] = [];
  let invocationEnded = 0;
  const onBatch = (report: BatchReport) => {
    if (report.outcome !== 'committed') failures.push(`batch ${report.outcome} (attempt ${report.attempt})`);
    invocations.push({ dispatchDelayMs: report.dispatchDelayMs, invokeMs: report.invokeMs, afterInvokeMs: performance.now() - invocationEnded });
  };
  const runtime = await startLocalRuntime({
    templatePath: options.templatePath,
    stateDir: localRuntimeOptions.stateDir,
    envVarsPath: localRuntimeOptions.envVarsPath,
    parameterOverrides: options.parameterOverrides,
    maxInstances: 1,
    apiPort: false,
    invokePort: false,
    ...(options.bridge === 'kafka' ? { kafka: true, onKafkaBatch: onBatch } : { kinesis: true, kinesisPollIntervalMs: options.kinesisPollIntervalMs, onKinesisBatch: onBatch }),
    onLog: () => {},
    onNotice: (text) => {
      if (/fail|error/i.test(text)) failures.push(text);
    },
  });
  // The bridge calls registry.invoke for each batch; no record is produced before this wrapper is in place.
  const { registry } = runtime;
  const invoke = registry.invoke.bind(registry);
  registry.invoke = async (logicalId, event, invokeOptions) => {
    const outcome = await invoke(logicalId, event, invokeOptions);
    invocationEnded = performance.now();
    if (outcome.ok) delivery.delivered(options.recordsOf(event));
    return outcome;
  };
  try {
    await registry.invoke('TrivialFunction', options.warmEvent); // a warm instance, as in a steady pipeline
    await sleep(1500);
    invocations.length = 0;
    return { bridged: await options.timeBatches(delivery), invocations };
  } catch (error) {
    throw new Error(`${(error as Error).message}${failures.length ? ` (bridge: ${failures.slice(-3).join(' | ')})` : ''}`);
  } finally {
    await runtime.stop();
  }
}
