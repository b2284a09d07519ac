import type { OpenApiProvider } from './api/api-docs.ts';
import { assertApiHostIsSafe, startApiServer, type RunningServer } from './api/api-server.ts';
import { FunctionRegistry, prefixedLogWriter, type RuntimeOptions } from './function-registry.ts';
import { startInvokeServer } from './invoke-endpoint/invoke-server.ts';
import type { BatchReport } from './bridges/batch-processor.ts';
import { runtimeSettings } from './settings.ts';

export interface LocalRuntimeOptions extends RuntimeOptions {
  /** The API's listen address (default 127.0.0.1); another than loopback needs LOCAL_JWT_SECRET. The Invoke API stays on loopback. */
  host?: string;
  /** The document the API serves at /openapi.json and /docs; without one, a list of the template's routes. */
  openApiDocument?: OpenApiProvider;
  /** API port (default 3000); false leaves the API off. */
  apiPort?: number | false;
  /** Lambda Invoke API port (default 3001); false leaves it off. */
  invokePort?: number | false;
  /** Consume the template's Kafka event sources. */
  kafka?: boolean;
  /** Poll the template's Kinesis event sources (env.json KINESIS_ENDPOINT). */
  kinesis?: boolean;
  /** Listen to the template's S3 events on MinIO. */
  s3?: boolean;
  /** Run the template's Schedule events (rate expressions). */
  schedules?: boolean;
  /** Base delay of asynchronous retries (S3 events, Event invocations); Lambda's is about a minute. */
  asyncRetryBaseDelayMs?: number;
  /** Base delay of Kafka batch retries. */
  kafkaRetryBaseDelayMs?: number;
  /** Called after each Kafka batch (measurements, tests). */
  onKafkaBatch?: (report: BatchReport) => void;
  /** Base delay of Kinesis batch retries. */
  kinesisRetryBaseDelayMs?: number;
  /** Pause before polling a Kinesis shard that had nothing new (default 250 ms; Lambda's is about a second). */
  kinesisPollIntervalMs?: number;
  /** Called after each Kinesis batch (measurements, tests). */
  onKinesisBatch?: (report: BatchReport) => void;
}

export interface LocalRuntime {
  registry: FunctionRegistry;
  apiUrl?: string;
  invokeUrl?: string;
  /** Stops the bridges first (in-flight batches finish and commit; nothing else is committed), then servers and instances. */
  stop(): Promise<void>;
}

interface Stoppable {
  stop(): Promise<void>;
}

/** The whole Docker-free runtime in this process: API, invoke endpoint, Kafka, Kinesis, S3 and schedule bridges. */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  if (options.apiPort !== false) assertApiHostIsSafe(options.host ?? '127.0.0.1', runtimeSettings.LOCAL_JWT_SECRET);
  const notice = options.onNotice ?? ((text: string) => process.stderr.write(`runtime | ${text}\n`));
  const registry = await FunctionRegistry.create({ ...options, onNotice: notice, onLog: options.onLog ?? prefixedLogWriter() });
  const servers: RunningServer[] = [];
  const bridges: Stoppable[] = [];
  const stop = async () => {
    await Promise.allSettled(bridges.map((bridge) => bridge.stop()));
    await Promise.allSettled(servers.map((server) => server.close()));
    await registry.stop();
  };
  try {
    await registry.prepareAll();
    notice(`function instances are threads of this Node.js ${process.version}`);
    let apiUrl: string | undefined;
    let invokeUrl: string | undefined;
    if (options.apiPort !== false) {
      const api = await startApiServer({ registry, host: options.host, port: options.apiPort ?? 3000, jwtSecret: runtimeSettings.LOCAL_JWT_SECRET, openApiDocument: options.openApiDocument, onNotice: notice });
      servers.push(api);
      apiUrl = api.url;
      for (const route of registry.model.routes) {
        notice(`${route.method.padEnd(6)} ${api.url}${route.path === '$default' ? '/*' : route.path} -> ${route.functionLogicalId}${route.authorizer ? ` (JWT ${route.authorizer})` : ''}`);
      }
      notice(`docs: ${api.url}/docs, OpenAPI: ${api.url}/openapi.json`);
    }
    if (options.invokePort !== false && options.invokePort !== undefined) {
      const invoke = await startInvokeServer({ registry, port: options.invokePort, asyncRetryBaseDelayMs: options.asyncRetryBaseDelayMs, onNotice: notice });
      servers.push(invoke);
      invokeUrl = invoke.url;
      notice(`Lambda Invoke API: ${invoke.url}/2015-03-31/functions/<name>/invocations`);
    }
    if (options.kafka) {
      const { startKafkaBridge } = await import('./bridges/kafka/kafka-bridge.ts');
      bridges.push(await startKafkaBridge({ registry, onNotice: notice, retryBaseDelayMs: options.kafkaRetryBaseDelayMs, onBatch: options.onKafkaBatch }));
    }
    if (options.kinesis) {
      const { startKinesisBridge } = await import('./bridges/kinesis/kinesis-bridge.ts');
      bridges.push(await startKinesisBridge({ registry, onNotice: notice, retryBaseDelayMs: options.kinesisRetryBaseDelayMs, pollIntervalMs: options.kinesisPollIntervalMs, onBatch: options.onKinesisBatch }));
    }
    if (options.s3) {
      const { startS3Bridge } = await import('./bridges/s3/s3-bridge.ts');
      bridges.push(await startS3Bridge({ registry, onNotice: notice, retryBaseDelayMs: options.asyncRetryBaseDelayMs }));
    }
    if (options.schedules) {
      const { startScheduleBridge } = await import('./bridges/schedule/schedule-bridge.ts');
      bridges.push(startScheduleBridge({ registry, onNotice: notice, retryBaseDelayMs: options.asyncRetryBaseDelayMs }));
    }
    return { registry, apiUrl, invokeUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
