import type { S3Client } from '@aws-sdk/client-s3';
import { Consumer, type Message, type MessagesStream } from '@platformatic/kafka';
import type { FunctionRegistry } from '../../function-registry.ts';
import type { KafkaSourceDefinition } from '../../template/model.ts';
import { TemplateError } from '../../template/template-error.ts';
import { type BatchReport, type FailureCondition, processBatch } from '../batch-processor.ts';
import { failureObjectKey, writeFailureRecord } from '../failure-destination.ts';
import { bucketFromArn, localAwsSettings, localS3Client } from '../local-aws.ts';
import { readBatchResponse } from './batch-outcome.ts';
import { BatchProgress } from './batch-progress.ts';
import { kafkaFailureRecord } from './failure-record.ts';
import { buildKafkaEvent, type ConsumedRecord } from './kafka-event.ts';

export interface KafkaBridgeOptions {
  registry: FunctionRegistry;
  onNotice: (text: string) => void;
  /** First retry delay of a failed batch; doubles per attempt up to maxRetryDelayMs. */
  retryBaseDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Brokers for MSK sources (a cluster ARN cannot be reached locally); default env.json KAFKA_BROKERS. */
  mskBrokers?: string[];
  /** Per-batch report, for measurements and tests. */
  onBatch?: (report: BatchReport) => void;
}

interface Buffered extends ConsumedRecord {
  arrivedAt: number;
}

/** Batches one event source's records and invokes its function until each batch is done. */
class MappingRunner {
  readonly source: KafkaSourceDefinition;
  readonly buffer: Buffered[] = [];
  readonly lastEnqueued = new Map<string, bigint>();
  readonly state = { stopping: false };
  #wake: (() => void) | undefined;
  #done: Promise<void> = Promise.resolve();

  constructor(
    source: KafkaSourceDefinition,
    private readonly bridge: { options: KafkaBridgeOptions; s3: () => S3Client; commit: (offsets: { topic: string; partition: number; offset: bigint }[]) => Promise<void>; brokers: string[]; bufferChanged: () => void },
  ) {
    this.source = source;
  }

  start(): void {
    this.#done = this.#run();
  }

  push(record: Buffered): void {
    const key = `${record.topic}-${record.partition}`;
    const last = this.lastEnqueued.get(key);
    // After a rebalance the stream fetches from the committed offset again: skip what is already held.
    if (last !== undefined && record.offset <= last) return;
    this.lastEnqueued.set(key, record.offset);
    this.buffer.push(record);
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.state.stopping = true;
    this.#wake?.();
    await this.#done;
  }

  #signal(timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => resolve(), Math.max(0, timeoutMs));
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  async #run(): Promise<void> {
    const windowMs = this.source.maximumBatchingWindowInSeconds * 1000;
    while (!this.state.stopping) {
      if (this.buffer.length === 0) {
        await this.#signal();
        continue;
      }
      const deadline = this.buffer[0]!.arrivedAt + windowMs;
      while (!this.state.stopping && this.buffer.length < this.source.batchSize && Date.now() < deadline) await this.#signal(deadline - Date.now());
      // With no batching window, records of the same fetch arrive in one burst: take them together.
      if (windowMs === 0) await new Promise((resolve) => setImmediate(resolve));
      if (this.state.stopping) break;
      const batch = this.buffer.splice(0, this.source.batchSize);
      this.bridge.bufferChanged();
      await this.#process(batch);
    }
  }

  async #process(batch: Buffered[]): Promise<void> {
    const { registry, onNotice } = this.bridge.options;
    const progress = new BatchProgress(batch);
    const eventSource = { kind: this.source.kind, eventSourceArn: this.source.eventSourceArn, bootstrapServers: this.bridge.brokers };
    await processBatch<Buffered>(batch, {
      invoke: (event) => registry.invoke(this.source.functionLogicalId, event),
      policy: this.source,
      state: this.state,
      retryBaseDelayMs: this.bridge.options.retryBaseDelayMs ?? 1000,
      maxRetryDelayMs: this.bridge.options.maxRetryDelayMs ?? 30_000,
      onNotice,
      onBatch: this.bridge.options.onBatch,
      buildEvent: (records) => buildKafkaEvent(records, eventSource),
      readResponse: (result, records) => readBatchResponse(result, records, this.source.reportBatchItemFailures),
      recordTime: (record) => record.timestamp,
      arrivedAt: (record) => record.arrivedAt,
      finish: async (records) => {
        progress.markDone(records);
        const offsets = progress.takeCommittable();
        if (offsets.length > 0) await this.bridge.commit(offsets);
      },
      discard: (records, attempts, condition, functionError) => this.#discard(records, attempts, condition, functionError),
    });
  }

  /** Hands records to the on-failure destination; until that write succeeds nothing is committed. */
  async #discard(records: Buffered[], attempts: number, condition: FailureCondition, functionError: string | undefined): Promise<void> {
    const { registry, onNotice } = this.bridge.options;
    const destination = this.source.onFailureDestination;
    const first = records[0]!;
    if (!destination) {
      onNotice(`${this.source.id}: ${records.length} records from ${first.topic}-${first.partition}@${first.offset} discarded (${condition}); the source has no on-failure destination`);
      return;
    }
    const bucket = bucketFromArn(destination, registry)!;
    const definition = registry.model.functions.get(this.source.functionLogicalId)!;
    const event = buildKafkaEvent(records, { kind: this.source.kind, eventSourceArn: this.source.eventSourceArn, bootstrapServers: this.bridge.brokers });
    const body = kafkaFailureRecord(records, event, {
      requestId: crypto.randomUUID(),
      functionArn: registry.functionArn(definition),
      condition,
      approximateInvokeCount: attempts,
      functionError,
      eventSourceArn: this.source.eventSourceArn,
      bootstrapServers: this.bridge.brokers,
    });
    const key = failureObjectKey(this.source.uuid, `${first.topic}-${first.partition}`);
    await writeFailureRecord(this.bridge.s3(), bucket, key, body, this.state, onNotice);
    onNotice(`${this.source.id}: ${records.length} records (${condition}) written to s3://${bucket}/${key}`);
  }
}

/** One consumer per consumer group; a group can feed several mappings of one function (one per topic). */
class GroupConsumer {
  #consumer: Consumer<Buffer, Buffer, Buffer, Buffer>;
  readonly #runners: Map<string, MappingRunner>;
  readonly #topics: string[];
  readonly #sources: KafkaSourceDefinition[];
  #stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  #paused = false;
  #stopped = false;
  #reconnecting: Promise<void> | undefined;
  readonly #bufferLimit: number;

  constructor(
    private readonly groupId: string,
    sources: KafkaSourceDefinition[],
    private readonly brokers: string[],
    private readonly options: KafkaBridgeOptions,
    s3: () => S3Client,
  ) {
    this.#sources = sources;
    this.#consumer = this.#newConsumer();
    this.#runners = new Map();
    this.#bufferLimit = Math.max(...sources.map((source) => source.batchSize)) * 2;
    for (const source of sources) {
      const runner = new MappingRunner(source, { options, s3, commit: (offsets) => this.#commit(offsets), brokers: source.kind === 'msk' ? brokers : source.bootstrapServers, bufferChanged: () => this.#bufferChanged() });
      for (const topic of source.topics) this.#runners.set(topic, runner);
    }
    this.#topics = [...this.#runners.keys()];
  }

  #newConsumer(): Consumer<Buffer, Buffer, Buffer, Buffer> {
    return new Consumer({ groupId: this.groupId, clientId: `local-runtime-${this.groupId}`, bootstrapBrokers: this.brokers, sessionTimeout: 10_000, heartbeatInterval: 1000, rebalanceTimeout: 10_000 });
  }

  async start(): Promise<void> {
    await this.#consume();
    for (const runner of new Set(this.#runners.values())) runner.start();
  }

  async #consume(): Promise<void> {
    const first = this.#sources[0]!;
    const stream = await this.#consumer.consume({
      topics: this.#topics,
      autocommit: false,
      mode: 'committed',
      fallbackMode: first.startingPosition === 'LATEST' ? 'latest' : 'earliest',
      maxWaitTime: 500,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
    });
    this.#stream = stream;
    this.#paused = false;
    stream.on('data', (message: Message<Buffer, Buffer, Buffer, Buffer>) => {
      const runner = this.#runners.get(message.topic);
      if (!runner) return;
      runner.push({
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        timestamp: Number(message.timestamp),
        // Record batches carry the timestamp type; the client does not expose it, and topics default to CreateTime.
        timestampType: 'CREATE_TIME',
        key: message.key ?? null,
        value: message.value ?? null,
        headers: [...message.headers.entries()].map(([name, value]) => [Buffer.from(name), value ?? null]),
        arrivedAt: Date.now(),
      });
      this.#bufferChanged();
    });
    stream.on('error', (error: Error) => {
      this.options.onNotice(`Kafka consumer (${this.#topics.join(', ')}): ${error.message}; reconnecting`);
      this.#reconnect();
    });
    stream.on('close', () => {
      if (this.#stream === stream) this.#reconnect();
    });
    this.#bufferChanged();
  }

  /**
   * A stream that failed (the broker died, the group's coordinator moved) stops for good:
   * Lambda's poller keeps polling, so a new consumer joins the group again, retrying until
   * the broker answers. It reads from the last committed offset; records the mappings
   * already hold are skipped (MappingRunner.push), so nothing is delivered twice.
   */
  #reconnect(): void {
    if (this.#stopped || this.#reconnecting) return;
    this.#reconnecting = (async () => {
      const failed = { stream: this.#stream, consumer: this.#consumer };
      this.#stream = undefined;
      await failed.stream?.close().catch(() => undefined);
      await closeAtOnce(failed.consumer);
      for (let attempt = 1; !this.#stopped; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(attempt, 5) * 1000));
        if (this.#stopped) return;
        this.#consumer = this.#newConsumer();
        try {
          await this.#consume();
          this.options.onNotice(`Kafka consumer (${this.#topics.join(', ')}): consuming again after ${attempt} attempt${attempt === 1 ? '' : 's'}`);
          return;
        } catch (error) {
          await closeAtOnce(this.#consumer);
          if (attempt === 1 || attempt % 10 === 0) this.options.onNotice(`Kafka consumer (${this.#topics.join(', ')}): not connected yet (${(error as Error).message}); retrying`);
        }
      }
    })().finally(() => {
      this.#reconnecting = undefined;
    });
  }

  #bufferChanged(): void {
    const full = [...this.#runners.values()].some((runner) => runner.buffer.length >= this.#bufferLimit);
    if (full && !this.#paused) {
      this.#paused = true;
      this.#stream?.pause();
    } else if (!full && this.#paused) {
      this.#paused = false;
      this.#stream?.resume();
    }
  }

  async #commit(offsets: { topic: string; partition: number; offset: bigint }[]): Promise<void> {
    try {
      await this.#consumer.commit({ offsets: offsets.map((offset) => ({ ...offset, leaderEpoch: -1 })) });
    } catch (error) {
      // A rebalance or a reconnect invalidates the generation: the records come again from the last commit (at least once).
      this.options.onNotice(`commit of ${offsets.map((o) => `${o.topic}-${o.partition}@${o.offset}`).join(', ')} failed: ${(error as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([...new Set(this.#runners.values())].map((runner) => runner.stop()));
    await this.#reconnecting;
    await this.#stream?.close().catch(() => undefined);
    await this.#consumer.close().catch(() => undefined);
  }
}

/** Closes a consumer without waiting for a broker that may be gone; never throws. */
function closeAtOnce(consumer: Consumer<Buffer, Buffer, Buffer, Buffer>): Promise<void> {
  return new Promise((resolve) => consumer.close(true, () => resolve()));
}

/** AWS refuses a Kafka mapping whose ConsumerGroupId another Kafka event source already uses. */
export function assertUniqueConsumerGroups(sources: readonly KafkaSourceDefinition[]): void {
  const seen = new Map<string, string>();
  for (const source of sources) {
    const other = seen.get(source.consumerGroupId);
    if (other) throw new TemplateError(`ConsumerGroupId ${source.consumerGroupId} is already used by ${other}; each Kafka event source needs a group of its own`, source.id);
    seen.set(source.consumerGroupId, source.id);
  }
}

/**
 * Lambda's Kafka event source mappings for the template's functions: consumer group per
 * mapping, batches by BatchSize and MaximumBatchingWindowInSeconds, offsets committed only
 * after the function succeeded, failed batches retried with the partition held.
 */
export async function startKafkaBridge(options: KafkaBridgeOptions): Promise<{ stop(): Promise<void> }> {
  const { registry, onNotice } = options;
  const settings = localAwsSettings(registry);
  const mskBrokers = options.mskBrokers ?? settings.kafkaBrokers;
  let s3Client: S3Client | undefined;
  const s3 = () => (s3Client ??= localS3Client(settings));

  assertUniqueConsumerGroups(registry.model.kafkaSources);
  const groups = new Map<string, { brokers: string[]; sources: KafkaSourceDefinition[] }>();
  for (const source of registry.model.kafkaSources) {
    if (!source.enabled) {
      onNotice(`${source.id}: Enabled is false; not consumed`);
      continue;
    }
    if (source.sourceAccessConfigurations.length > 0) {
      onNotice(`${source.id}: SourceAccessConfigurations (${source.sourceAccessConfigurations.join(', ')}) do not apply locally; connecting without them`);
    }
    if (source.startingPosition === 'AT_TIMESTAMP') throw new TemplateError('StartingPosition AT_TIMESTAMP is not supported locally', source.id);
    if (source.onFailureDestination && !bucketFromArn(source.onFailureDestination, registry)) {
      throw new TemplateError(`on-failure destination ${source.onFailureDestination} is not run locally (S3 buckets only)`, source.id);
    }
    const brokers = source.kind === 'msk' ? mskBrokers : source.bootstrapServers;
    groups.set(`${source.consumerGroupId}|${brokers.join(',')}`, { brokers, sources: [source] });
  }

  const consumers: GroupConsumer[] = [];
  const stop = async () => {
    await Promise.all(consumers.map((consumer) => consumer.stop()));
  };
  try {
    for (const [key, group] of groups) {
      const consumer = new GroupConsumer(key.split('|')[0]!, group.sources, group.brokers, options, s3);
      consumers.push(consumer);
      await consumer.start();
      onNotice(`Kafka ${group.sources.flatMap((source) => source.topics).join(', ')} -> ${group.sources[0]!.functionLogicalId} (group ${key.split('|')[0]}, brokers ${group.brokers.join(',')})`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}
