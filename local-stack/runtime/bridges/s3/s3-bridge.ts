import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { invokeAsync } from '../../async-invoke.ts';
import type { FunctionRegistry } from '../../function-registry.ts';
import type { S3SourceDefinition } from '../../template/model.ts';
import { TemplateError } from '../../template/template-error.ts';
import { bucketFromArn, localAwsSettings, localS3Client } from '../local-aws.ts';
import { encodeS3Key, matchesSource, type MinioEventRecord, toS3EventRecord } from './s3-event.ts';

export interface S3BridgeOptions {
  registry: FunctionRegistry;
  onNotice: (text: string) => void;
  /** Base delay of the asynchronous retries (Lambda: about a minute, then two). */
  retryBaseDelayMs?: number;
  /** How often the watched prefixes are listed (default 1 s). */
  pollIntervalMs?: number;
}

/**
 * The template's S3 events on MinIO. The watched prefixes are listed every second and
 * each new object (or new ETag) becomes an `ObjectCreated:Put` record sent to its
 * function as an asynchronous invocation (invokeAsync: the function's EventInvokeConfig
 * retries, then its on-failure destination).
 *
 * Listing rather than MinIO's ListenBucketNotification stream: that stream is buffered
 * (4 KB) on the server, so on a quiet bucket an event can wait minutes, and it forgets
 * whatever happens while no one listens. The objects already seen are kept under the
 * runtime's state folder, so objects written while the runtime was stopped are
 * delivered when it starts again; on the very first start the existing objects count
 * as old, as they would for a newly created S3 notification.
 */
export async function startS3Bridge(options: S3BridgeOptions): Promise<{ stop(): Promise<void> }> {
  const { registry, onNotice } = options;
  const settings = localAwsSettings(registry);
  if (!settings.s3Endpoint) throw new Error('the S3 bridge needs S3_ENDPOINT in env.json Parameters (MinIO, e.g. http://127.0.0.1:9000)');
  const s3 = localS3Client(settings);
  const stateDir = join(registry.stateDir, 'runtime', 's3-bridge');
  mkdirSync(stateDir, { recursive: true });

  const byBucket = new Map<string, S3SourceDefinition[]>();
  for (const source of registry.model.s3Sources) {
    const bucket = registry.bucketNames[source.bucketLogicalId]!;
    byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), source]);
  }
  for (const source of registry.model.s3Sources) {
    const destination = registry.model.functions.get(source.functionLogicalId)?.asyncInvoke.onFailureDestination;
    if (destination && !bucketFromArn(destination, registry)) {
      throw new TemplateError(`on-failure destination ${destination} is not run locally (S3 buckets only)`, `${source.functionLogicalId}.EventInvokeConfig`);
    }
  }
  const pending = new Set<Promise<unknown>>();
  const state = { stopping: false };

  const dispatch = (bucket: string, record: MinioEventRecord) => {
    for (const source of byBucket.get(bucket) ?? []) {
      if (!matchesSource(source, record)) continue;
      const event = { Records: [toS3EventRecord(record, source, registry.region)] };
      const task = invokeAsync(registry, source.functionLogicalId, event, { baseDelayMs: options.retryBaseDelayMs, onNotice, state });
      pending.add(task);
      task.finally(() => pending.delete(task)).catch(() => undefined);
    }
  };

  const watchers = [...byBucket].map(([bucket, sources]) => {
    // One listing per distinct prefix; a source without a prefix watches the whole bucket.
    const prefixes = sources.some((source) => !source.prefix) ? [''] : [...new Set(sources.map((source) => source.prefix!))];
    const stateFile = join(stateDir, `${bucket}.json`);
    onNotice(`S3 ${bucket} -> ${sources.map((source) => `${source.functionLogicalId} [${source.prefix ?? ''}*${source.suffix ?? ''}]`).join(', ')}`);
    return { bucket, prefixes, stateFile, seen: readSeen(stateFile) };
  });

  const pollOnce = async (watcher: (typeof watchers)[number]) => {
    const current = new Map<string, { eTag: string; size: number; lastModified: Date }>();
    for (const prefix of watcher.prefixes) await listInto(s3, watcher.bucket, prefix, current);
    const firstStart = watcher.seen === undefined;
    const seen = watcher.seen ?? new Map<string, string>();
    let changed = firstStart;
    for (const [key, object] of current) {
      if (seen.get(key) === object.eTag) continue;
      seen.set(key, object.eTag);
      changed = true;
      if (!firstStart) dispatch(watcher.bucket, createdRecord(watcher.bucket, key, object));
    }
    for (const key of seen.keys()) {
      if (!current.has(key)) {
        seen.delete(key);
        changed = true;
      }
    }
    watcher.seen = seen;
    if (changed) writeSeen(watcher.stateFile, seen);
  };

  const failures = new Map<string, number>();
  const loop = async (watcher: (typeof watchers)[number]) => {
    while (!state.stopping) {
      try {
        await pollOnce(watcher);
        failures.delete(watcher.bucket);
      } catch (error) {
        const count = (failures.get(watcher.bucket) ?? 0) + 1;
        failures.set(watcher.bucket, count);
        if (count === 1 || count % 30 === 0) onNotice(`S3 ${watcher.bucket}: listing failed (${(error as Error).message}); retrying`);
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs ?? 1000));
    }
  };

  // The first listing runs before start-up completes: from then on no new object is missed.
  await Promise.all(watchers.map((watcher) => pollOnce(watcher).catch((error: Error) => onNotice(`S3 ${watcher.bucket}: ${error.message}`))));
  const loops = watchers.map((watcher) => loop(watcher));

  return {
    stop: async () => {
      state.stopping = true;
      await Promise.allSettled(loops);
      // Accepted events finish their invocation (and retries), as Lambda's queue would.
      await Promise.allSettled(pending);
    },
  };
}

async function listInto(s3: S3Client, bucket: string, prefix: string, into: Map<string, { eTag: string; size: number; lastModified: Date }>): Promise<void> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      into.set(object.Key!, { eTag: (object.ETag ?? '').replaceAll('"', ''), size: object.Size ?? 0, lastModified: object.LastModified ?? new Date() });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** What S3 would have sent for the object: a Put, sequenced by its write time. */
function createdRecord(bucket: string, key: string, object: { eTag: string; size: number; lastModified: Date }): MinioEventRecord {
  return {
    eventName: 's3:ObjectCreated:Put',
    eventTime: object.lastModified.toISOString(),
    s3: {
      bucket: { name: bucket },
      object: { key: encodeS3Key(key), size: object.size, eTag: object.eTag, sequencer: object.lastModified.getTime().toString(16).toUpperCase().padStart(16, '0') },
    },
  };
}

function readSeen(file: string): Map<string, string> | undefined {
  try {
    return new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>));
  } catch {
    return undefined;
  }
}

function writeSeen(file: string, seen: Map<string, string>): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(Object.fromEntries(seen)));
  renameSync(`${file}.tmp`, file);
}
