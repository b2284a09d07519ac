import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeStreamSummaryCommand, ExpiredIteratorException, GetRecordsCommand, type GetRecordsCommandOutput, GetShardIteratorCommand,
  type GetShardIteratorCommandInput, KinesisClient, ListShardsCommand, ResourceNotFoundException, type Shard,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { FunctionRegistry } from '../../function-registry.ts';
import type { KinesisSourceDefinition } from '../../template/model.ts';
import { TemplateError } from '../../template/template-error.ts';
import { type BatchReport, type FailureCondition, processBatch, sleep } from '../batch-processor.ts';
import { failureObjectKey, writeFailureRecord } from '../failure-destination.ts';
import { bucketFromArn, localAwsSettings, localS3Client } from '../local-aws.ts';
import { readKinesisBatchResponse } from './batch-outcome.ts';
import { CheckpointStore, ShardProgress } from './checkpoints.ts';
import { kinesisFailureRecord } from './failure-record.ts';
import { buildKinesisEvent, type KinesisEventSource, type ShardRecord } from './kinesis-event.ts';

export interface KinesisBridgeOptions {
  registry: FunctionRegistry;
  onNotice: (text: string) => void;
  /** The local Kinesis API; default env.json KINESIS_ENDPOINT. */
  endpoint?: string;
  /** First retry delay of a failed batch; doubles per attempt up to maxRetryDelayMs. */
  retryBaseDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Pause before polling a shard that had nothing new (Lambda: about a second; locally 250 ms for lower latency). */
  pollIntervalMs?: number;
  /** Per-batch report, for measurements and tests. */
  onBatch?: (report: BatchReport) => void;
}

interface Buffered extends ShardRecord {
  arrivedAt: number;
}

/** How often the shard list is read again, to follow a resharding. */
const shardDiscoveryIntervalMs = 5000;

/** Reads one shard in order and invokes the function with one batch at a time. */
class ShardPoller {
  readonly #progress = new ShardProgress();
  #lastRead: string | undefined;
  #iterator: string | undefined;
  done: Promise<void> = Promise.resolve();
  finished = false;

  constructor(private readonly mapping: MappingRunner, readonly shardId: string, private readonly position: 'start' | 'child') {}

  /** Gets the first iterator before returning, so LATEST means "from the start of the runtime". */
  async start(): Promise<void> {
    const checkpoint = this.mapping.checkpoints.get(this.shardId);
    this.#lastRead = checkpoint;
    this.#iterator = await this.#shardIterator(checkpoint);
    this.done = this.#run();
  }

  async #shardIterator(after: string | undefined): Promise<string | undefined> {
    const { source } = this.mapping;
    const base = { StreamName: source.streamName, ShardId: this.shardId };
    let input: GetShardIteratorCommandInput;
    if (after) input = { ...base, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after };
    // A child shard of a resharding is read from its start once its parent is done, as Lambda does.
    else if (this.position === 'child' || source.startingPosition === 'TRIM_HORIZON') input = { ...base, ShardIteratorType: 'TRIM_HORIZON' };
    else if (source.startingPosition === 'AT_TIMESTAMP') input = { ...base, ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(source.startingPositionTimestamp! * 1000) };
    else input = { ...base, ShardIteratorType: 'LATEST' };
    return (await this.mapping.kinesis.send(new GetShardIteratorCommand(input))).ShardIterator;
  }

  async #getRecords(limit: number): Promise<GetRecordsCommandOutput> {
    try {
      return await this.mapping.kinesis.send(new GetRecordsCommand({ ShardIterator: this.#iterator, Limit: limit }));
    } catch (error) {
      // Iterators expire after five minutes (a long run of retries): continue after the last record read.
      if (!(error instanceof ExpiredIteratorException)) throw error;
      this.#iterator = await this.#shardIterator(this.#lastRead);
      return this.mapping.kinesis.send(new GetRecordsCommand({ ShardIterator: this.#iterator, Limit: limit }));
    }
  }

  async #run(): Promise<void> {
    const { source, state, options } = this.mapping;
    const windowMs = source.maximumBatchingWindowInSeconds * 1000;
    const pollIntervalMs = options.pollIntervalMs ?? 250;
    const buffer: Buffered[] = [];
    while (!state.stopping) {
      let caughtUp = true;
      if (buffer.length < source.batchSize && this.#iterator) {
        let output: GetRecordsCommandOutput;
        try {
          output = await this.#getRecords(source.batchSize - buffer.length);
        } catch (error) {
          options.onNotice(`${source.id} ${this.shardId}: GetRecords failed (${(error as Error).message}); trying again`);
          await sleep(1000, state);
          continue;
        }
        this.#iterator = output.NextShardIterator;
        const arrivedAt = Date.now();
        const records = (output.Records ?? []).map((record) => ({
          shardId: this.shardId,
          sequenceNumber: record.SequenceNumber!,
          partitionKey: record.PartitionKey!,
          data: Buffer.from(record.Data ?? new Uint8Array()),
          approximateArrivalTimestamp: record.ApproximateArrivalTimestamp?.getTime() ?? arrivedAt,
          arrivedAt,
        }));
        this.#progress.track(records);
        buffer.push(...records);
        if (records.length > 0) this.#lastRead = records[records.length - 1]!.sequenceNumber;
        caughtUp = records.length === 0 || output.MillisBehindLatest === 0;
      }
      if (buffer.length === 0) {
        if (!this.#iterator) break;
        await sleep(pollIntervalMs, state);
        continue;
      }
      const windowEnds = buffer[0]!.arrivedAt + windowMs;
      if (buffer.length >= source.batchSize || Date.now() >= windowEnds || !this.#iterator) {
        await this.#process(buffer.splice(0, source.batchSize));
      } else if (caughtUp) {
        await sleep(Math.min(pollIntervalMs, windowEnds - Date.now()), state);
      }
    }
    // A closed shard (after a resharding) that is fully processed lets its children start.
    this.finished = !this.#iterator && buffer.length === 0 && !state.stopping;
  }

  #process(batch: Buffered[]): Promise<void> {
    const { source, state, options, registry } = this.mapping;
    return processBatch<Buffered>(batch, {
      invoke: (event) => registry.invoke(source.functionLogicalId, event),
      policy: source,
      state,
      retryBaseDelayMs: options.retryBaseDelayMs ?? 1000,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 30_000,
      onNotice: options.onNotice,
      onBatch: options.onBatch,
      buildEvent: (records) => buildKinesisEvent(records, this.mapping.eventSource),
      readResponse: (result, records) => readKinesisBatchResponse(result, records, source.reportBatchItemFailures),
      recordTime: (record) => record.approximateArrivalTimestamp,
      arrivedAt: (record) => record.arrivedAt,
      finish: async (records) => {
        this.#progress.markDone(records);
        const checkpoint = this.#progress.takeCheckpoint();
        if (checkpoint) this.mapping.checkpoints.save(this.shardId, checkpoint);
      },
      discard: (records, attempts, condition, functionError) => this.mapping.discard(records, attempts, condition, functionError),
    });
  }
}

/** One event source mapping: a poller per shard, shards found with ListShards and followed through reshardings. */
class MappingRunner {
  readonly state = { stopping: false };
  readonly registry: FunctionRegistry;
  readonly checkpoints: CheckpointStore;
  readonly eventSource: KinesisEventSource;
  readonly #pollers = new Map<string, ShardPoller>();
  #discovery: Promise<void> = Promise.resolve();

  constructor(
    readonly source: KinesisSourceDefinition,
    readonly kinesis: KinesisClient,
    readonly options: KinesisBridgeOptions,
    private readonly s3: () => S3Client,
  ) {
    this.registry = options.registry;
    this.checkpoints = new CheckpointStore(join(options.registry.stateDir, 'runtime', 'kinesis-bridge', `${source.uuid}.json`));
    this.eventSource = {
      streamArn: source.streamArn,
      region: options.registry.region,
      invokeIdentityArn: `arn:aws:iam::${options.registry.model.pseudo['AWS::AccountId']}:role/${source.functionLogicalId}Role`,
    };
  }

  /** Starts reading when the stream exists; otherwise waits for it in the background (the stack may create it later). */
  async start(): Promise<void> {
    const ready = await this.#openStream();
    if (ready) await this.#discoverShards();
    this.#discovery = this.#followStream(ready);
  }

  async #openStream(): Promise<boolean> {
    try {
      const { StreamDescriptionSummary: summary } = await this.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: this.source.streamName }));
      if (summary?.StreamStatus === 'CREATING') return false;
      if (!this.checkpoints.load(summary!.StreamCreationTimestamp!.toISOString())) {
        this.options.onNotice(`${this.source.id}: stream ${this.source.streamName} was created again; its old checkpoints are dropped`);
      }
      return true;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return false;
      throw error;
    }
  }

  async #followStream(ready: boolean): Promise<void> {
    if (!ready) this.options.onNotice(`${this.source.id}: stream ${this.source.streamName} does not exist yet; waiting for it`);
    while (!this.state.stopping) {
      await sleep(ready ? shardDiscoveryIntervalMs : 1000, this.state);
      if (this.state.stopping) break;
      try {
        if (!ready) ready = await this.#openStream();
        if (ready) await this.#discoverShards();
      } catch (error) {
        this.options.onNotice(`${this.source.id}: reading the shards of ${this.source.streamName} failed (${(error as Error).message})`);
      }
    }
  }

  async #discoverShards(): Promise<void> {
    const shards: Shard[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.kinesis.send(new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: this.source.streamName }));
      shards.push(...(page.Shards ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    const firstDiscovery = this.#pollers.size === 0;
    const known = new Set(shards.map((shard) => shard.ShardId));
    for (const shard of shards) {
      const shardId = shard.ShardId!;
      if (this.#pollers.has(shardId)) continue;
      // Records of a key stay in order across a resharding: a child waits until its parents are done.
      const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter((parent): parent is string => parent !== undefined && known.has(parent));
      if (parents.some((parent) => !this.#pollers.get(parent)?.finished)) continue;
      const poller = new ShardPoller(this, shardId, firstDiscovery && parents.length === 0 ? 'start' : 'child');
      this.#pollers.set(shardId, poller);
      await poller.start();
    }
  }

  /** Hands records to the on-failure destination; until that write succeeds nothing is checkpointed. */
  async discard(records: Buffered[], attempts: number, condition: FailureCondition, functionError: string | undefined): Promise<void> {
    const first = records[0]!;
    const destination = this.source.onFailureDestination;
    if (!destination) {
      this.options.onNotice(`${this.source.id}: ${records.length} records of ${first.shardId} from ${first.sequenceNumber} discarded (${condition}); the source has no on-failure destination`);
      return;
    }
    const bucket = bucketFromArn(destination, this.registry)!;
    const definition = this.registry.model.functions.get(this.source.functionLogicalId)!;
    const body = kinesisFailureRecord(records, buildKinesisEvent(records, this.eventSource), {
      requestId: crypto.randomUUID(),
      functionArn: this.registry.functionArn(definition),
      condition,
      approximateInvokeCount: attempts,
      functionError,
      streamArn: this.source.streamArn,
    });
    const key = failureObjectKey(this.source.uuid, first.shardId);
    await writeFailureRecord(this.s3(), bucket, key, body, this.state, this.options.onNotice);
    this.options.onNotice(`${this.source.id}: ${records.length} records (${condition}) written to s3://${bucket}/${key}`);
  }

  async stop(): Promise<void> {
    this.state.stopping = true;
    await this.#discovery;
    await Promise.all([...this.#pollers.values()].map((poller) => poller.done));
  }
}

/**
 * Lambda's Kinesis event source mappings for the template's functions, against a local
 * Kinesis API: one poller per shard, batches by BatchSize and
 * MaximumBatchingWindowInSeconds, checkpoints (in the state folder) only after the function
 * succeeded, failed batches retried with the shard held.
 */
export async function startKinesisBridge(options: KinesisBridgeOptions): Promise<{ stop(): Promise<void> }> {
  const { registry, onNotice } = options;
  const sources = registry.model.kinesisSources.filter((source) => {
    if (!source.enabled) onNotice(`${source.id}: Enabled is false; not consumed`);
    return source.enabled;
  });
  if (sources.length === 0) return { stop: async () => undefined };
  const settings = localAwsSettings(registry);
  const endpoint = options.endpoint ?? settings.kinesisEndpoint;
  if (!endpoint) throw new Error('the Kinesis bridge needs KINESIS_ENDPOINT in env.json Parameters (the local Kinesis API, e.g. http://127.0.0.1:4567)');
  for (const source of sources) {
    if (source.onFailureDestination && !bucketFromArn(source.onFailureDestination, registry)) {
      throw new TemplateError(`on-failure destination ${source.onFailureDestination} is not run locally (S3 buckets only)`, source.id);
    }
    if (source.parallelizationFactor > 1) onNotice(`${source.id}: ParallelizationFactor ${source.parallelizationFactor} runs as 1 locally (one batch at a time per shard)`);
  }
  // The SDK's default handler for Kinesis speaks HTTP/2, which a local plain-HTTP server does not.
  const kinesis = new KinesisClient({ endpoint, region: registry.region, credentials: settings.credentials, requestHandler: new NodeHttpHandler() });
  let s3Client: S3Client | undefined;
  const s3 = () => (s3Client ??= localS3Client(settings));
  const runners = sources.map((source) => new MappingRunner(source, kinesis, options, s3));
  const stop = async () => {
    await Promise.all(runners.map((runner) => runner.stop()));
    kinesis.destroy();
  };
  try {
    for (const runner of runners) {
      await runner.start();
      onNotice(`Kinesis ${runner.source.streamName} -> ${runner.source.functionLogicalId} (${endpoint})`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}
