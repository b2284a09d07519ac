import { request, type ClientRequest } from 'node:http';
import { invokeAsync } from '../../async-invoke.ts';
import type { FunctionRegistry } from '../../function-registry.ts';
import type { S3SourceDefinition } from '../../template/model.ts';
import { localAwsSettings } from '../local-aws.ts';
import { matchesSource, type MinioEventRecord, toS3EventRecord } from './s3-event.ts';
import { signRequest } from './sigv4.ts';

export interface S3BridgeOptions {
  registry: FunctionRegistry;
  onNotice: (text: string) => void;
  /** Base delay of the asynchronous retries (Lambda: about a minute, then two). */
  retryBaseDelayMs?: number;
}

/**
 * The template's S3 events on MinIO: one ListenBucketNotification stream per bucket, each
 * matching record sent to its function as an asynchronous invocation (two retries).
 * Objects written while no stream is connected raise no event, as with MinIO itself.
 */
export async function startS3Bridge(options: S3BridgeOptions): Promise<{ stop(): Promise<void> }> {
  const { registry, onNotice } = options;
  const settings = localAwsSettings(registry);
  if (!settings.s3Endpoint) throw new Error('the S3 bridge needs S3_ENDPOINT in env.json Parameters (MinIO, e.g. http://127.0.0.1:9000)');
  const byBucket = new Map<string, S3SourceDefinition[]>();
  for (const source of registry.model.s3Sources) {
    const bucket = registry.bucketNames[source.bucketLogicalId]!;
    byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), source]);
  }
  const pending = new Set<Promise<unknown>>();
  const requests = new Set<ClientRequest>();
  let stopping = false;

  const dispatch = (bucket: string, record: MinioEventRecord) => {
    for (const source of byBucket.get(bucket) ?? []) {
      if (!matchesSource(source, record)) continue;
      const event = { Records: [toS3EventRecord(record, source, registry.region)] };
      const task = invokeAsync(registry, source.functionLogicalId, event, { baseDelayMs: options.retryBaseDelayMs, onNotice });
      pending.add(task);
      task.finally(() => pending.delete(task)).catch(() => undefined);
    }
  };

  const listen = (bucket: string, ready: () => void, attempt = 0) => {
    if (stopping) return;
    const events = [...new Set(byBucket.get(bucket)!.flatMap((source) => source.events))];
    const url = new URL(`/${encodeURIComponent(bucket)}`, settings.s3Endpoint);
    for (const event of events) url.searchParams.append('events', event);
    url.searchParams.set('prefix', '');
    url.searchParams.set('suffix', '');
    // MinIO flushes the stream on its keep-alive tick: without `ping` no event ever arrives,
    // with ping=1 an event reaches the function within a second.
    url.searchParams.set('ping', '1');
    const headers = signRequest({ method: 'GET', url, region: settings.region, service: 's3', ...settings.credentials });
    const retry = (reason: string) => {
      requests.delete(req);
      if (stopping) return;
      const delay = Math.min(10_000, 500 * 2 ** Math.min(attempt, 5));
      if (attempt === 0 || attempt % 10 === 0) onNotice(`S3 notifications for ${bucket}: ${reason}; reconnecting in ${delay} ms`);
      setTimeout(() => listen(bucket, ready, attempt + 1), delay);
    };
    const req = request(url, { method: 'GET', headers }, (res) => {
      if (res.statusCode !== 200) {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => retry(`HTTP ${res.statusCode} ${body.slice(0, 200)}`));
        return;
      }
      attempt = 0;
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf('\n');
          if (!line) continue;
          try {
            for (const record of (JSON.parse(line) as { Records?: MinioEventRecord[] }).Records ?? []) dispatch(bucket, record);
          } catch (error) {
            onNotice(`S3 notifications for ${bucket}: unreadable line (${(error as Error).message})`);
          }
        }
      });
      res.on('end', () => retry('stream ended'));
      res.on('error', (error) => retry(error.message));
    });
    req.on('error', (error) => retry(error.message));
    // MinIO answers (headers included) only with the first event, so the listener counts as
    // ready once the request is sent and the server has had a moment to register it.
    req.on('finish', () => {
      setTimeout(() => {
        if (attempt === 0) onNotice(`S3 ${bucket} (${events.join(', ')}) -> ${byBucket.get(bucket)!.map((source) => `${source.functionLogicalId} [${source.prefix ?? ''}*${source.suffix ?? ''}]`).join(', ')}`);
        ready();
      }, 250);
    });
    req.end();
    requests.add(req);
  };

  // Resolve once every stream is connected (or after a short wait when MinIO is not up yet).
  await Promise.all([...byBucket.keys()].map((bucket) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 5000);
    listen(bucket, () => {
      clearTimeout(timer);
      resolve();
    });
  })));

  return {
    stop: async () => {
      stopping = true;
      for (const req of requests) req.destroy();
      // Accepted events finish their invocation (and retries), as Lambda's queue would.
      await Promise.allSettled(pending);
    },
  };
}
