/**
 * Figures of the Docker-free runtime:
 * - API throughput of `lambda-runtime start` (run as a user runs it) against a bare node:http server
 *   on the same Node.js calling the same handler in-process (load from a separate process:
 *   raw keep-alive HTTP/1.1 over loopback);
 * - warm invoke latency through the Lambda Invoke API, and `lambda-runtime invoke` end to end;
 * - the Kafka bridge's added latency per batch with no batching window (needs Kafka).
 *
 *   npm run bench -w @ledgerflow/lambda-runtime -- [--tiny] [--rounds 5] [--duration 3] [--connections 32]
 *     [--state-dir <dir>] [--kafka-brokers 127.0.0.1:9092 | --no-kafka] [--out bench/results/runtime-api.json]
 */
import { fork, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildFunction } from '../build/build-function.ts';
import { type ServerProcess, serverProcess, startRuntimeProcess } from '../runtime-process.ts';
import { lambdaNodePath } from '../settings.ts';
import { loadTemplate } from '../template/load-template.ts';
import { formatFigures, type RuntimeApiMeasurements, runtimeApiFigures } from './figures.ts';

const here = dirname(fileURLToPath(import.meta.url));
const templatePath = resolve(here, '../tests/fixtures/api/template.yaml');
const cli = resolve(here, '../bin/lambda-runtime.mjs');

interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

/** Child mode: keep `connections` sockets busy for `duration` seconds, one request in flight each. */
async function generateLoad(url: string, connections: number, seconds: number): Promise<LoadResult> {
  const { hostname, port, pathname } = new URL(url);
  const request = Buffer.from(`GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: keep-alive\r\n\r\n`);
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, () => new Promise<void>((done) => {
    const socket = connect(Number(port), hostname);
    let buffer = Buffer.alloc(0);
    let sentAt = 0;
    const send = () => {
      if (performance.now() >= deadline) {
        socket.end();
        return done();
      }
      sentAt = performance.now();
      socket.write(request);
    };
    socket.on('connect', send);
    socket.on('error', () => {
      errors++;
      done();
    });
    socket.on('data', (chunk) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      for (;;) {
        const headerEnd = buffer.indexOf('\r\n\r\n');
        if (headerEnd < 0) return;
        const head = buffer.subarray(0, headerEnd).toString('latin1');
        const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < headerEnd + 4 + length) return;
        if (!head.startsWith('HTTP/1.1 200')) errors++;
        latencies.push(performance.now() - sentAt);
        buffer = buffer.subarray(headerEnd + 4 + length);
        send();
      }
    });
  })));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { requests: latencies.length, errors, seconds: elapsed, rps: latencies.length / elapsed, p50Ms: quantile(0.5), p99Ms: quantile(0.99) };
}

/** The round with the median requests/s. */
function medianRound(results: LoadResult[]): LoadResult {
  return [...results].sort((a, b) => a.rps - b.rps)[Math.floor(results.length / 2)]!;
}

function loadFrom(url: string, connections: number, seconds: number): Promise<LoadResult> {
  return new Promise((resolvePromise, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--load', url, '--connections', String(connections), '--duration', String(seconds)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (message) => resolvePromise(message as LoadResult));
    child.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited with ${code}`)));
  });
}

/** The handler bundle the runtime serves (built as the runtime builds it), called in-process by a bare server. */
async function bareServer(node: string, work: string): Promise<ServerProcess> {
  const model = loadTemplate({ templatePath });
  const built = await buildFunction(model.functions.get('PingFunction')!, work, true);
  return serverProcess(node, [resolve(here, 'bare-http-server.mjs'), built.handlerFile], (output) => /^(http:\S+)$/m.exec(output)?.[1]);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      load: { type: 'string' }, connections: { type: 'string', default: '32' }, duration: { type: 'string' }, rounds: { type: 'string' }, out: { type: 'string' },
      instances: { type: 'string', default: '2' }, tiny: { type: 'boolean' }, 'state-dir': { type: 'string' }, 'kafka-brokers': { type: 'string', default: '127.0.0.1:9092' }, 'no-kafka': { type: 'boolean' },
    },
  });
  // --tiny: one short round of everything, a smoke run of the benchmark itself.
  const tiny = values.tiny === true;
  const connections = Number(values.connections);
  const seconds = Number(values.duration ?? (tiny ? 1 : 3));
  const rounds = Number(values.rounds ?? (tiny ? 1 : 5));
  const samples = tiny ? { invokes: 30, cliInvokes: 1, kafkaRecords: 10 } : { invokes: 300, cliInvokes: 5, kafkaRecords: 200 };
  if (values.load) {
    const result = await generateLoad(values.load, connections, seconds);
    if (process.send) process.send(result);
    else process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }

  // Both servers run side by side, on the Node.js the runtime runs on, and take turns under
  // load round by round; the medians are compared, so a slow spell of a shared machine does
  // not land on one contender only.
  const work = mkdtempSync(join(tmpdir(), 'runtime-api-bench-'));
  const stateDir = resolve(values['state-dir'] ?? join(tmpdir(), 'lambda-runtime-bench'));
  const node = lambdaNodePath(stateDir);
  process.stderr.write(`runtime and baseline on ${node}\n`);
  const bare = await bareServer(node, work);
  const runtime = await startRuntimeProcess({ command: 'start', args: ['--template', templatePath, '--state-dir', stateDir], instances: Number(values.instances) });
  const runtimeUrl = `${runtime.url}/ping`;
  await loadFrom(bare.url, connections, 1);
  await loadFrom(runtimeUrl, connections, 1);
  const bareRounds: LoadResult[] = [];
  const runtimeRounds: LoadResult[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['bare', 'runtime'] : ['runtime', 'bare'];
    for (const contender of order) {
      if (contender === 'bare') bareRounds.push(await loadFrom(bare.url, connections, seconds));
      else runtimeRounds.push(await loadFrom(runtimeUrl, connections, seconds));
    }
  }
  await bare.stop();
  rmSync(work, { recursive: true, force: true });
  const bareResult = medianRound(bareRounds);
  const runtimeResult = medianRound(runtimeRounds);

  // Warm invoke through the Invoke API: sequential, one instance already warm.
  const invokeUrl = `${runtime.invokeUrl}/2015-03-31/functions/PingFunction/invocations`;
  const invokeLatencies: number[] = [];
  for (let index = 0; index < samples.invokes; index++) {
    const started = performance.now();
    const response = await fetch(invokeUrl, { method: 'POST', body: '{}' });
    await response.text();
    if (index >= samples.invokes / 15) invokeLatencies.push(performance.now() - started);
  }
  await runtime.stop();
  invokeLatencies.sort((a, b) => a - b);

  // `lambda-runtime invoke` end to end: a new process each time, the build already cached.
  const cliWall: number[] = [];
  const cliDuration: number[] = [];
  for (let index = 0; index < samples.cliInvokes; index++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, [cli, 'invoke', 'PingFunction', '--template', templatePath, '--state-dir', stateDir], { encoding: 'utf8' });
    cliWall.push(performance.now() - started);
    cliDuration.push(Number(/Duration: ([\d.]+) ms/.exec(result.stderr)?.[1] ?? Number.NaN));
  }
  const median = (items: number[]) => [...items].sort((a, b) => a - b)[Math.floor(items.length / 2)]!;

  const kafka = values['no-kafka'] ? {} : await kafkaFigures(values['kafka-brokers']!.split(','), stateDir, samples.kafkaRecords);

  const measured: RuntimeApiMeasurements = {
    'api.bare_node_http.rps': Math.round(bareResult.rps),
    'api.runtime.rps': Math.round(runtimeResult.rps),
    'api.runtime.p50_ms': Number(runtimeResult.p50Ms.toFixed(3)),
    'api.runtime.p99_ms': Number(runtimeResult.p99Ms.toFixed(3)),
    'api.bare_node_http.p50_ms': Number(bareResult.p50Ms.toFixed(3)),
    'api.errors': [...bareRounds, ...runtimeRounds].reduce((sum, round) => sum + round.errors, 0),
    'api.bare_node_http.rounds_rps': bareRounds.map((round) => Math.round(round.rps)),
    'api.runtime.rounds_rps': runtimeRounds.map((round) => Math.round(round.rps)),
    'invoke_endpoint.warm.p50_ms': Number(invokeLatencies[Math.floor(invokeLatencies.length / 2)]!.toFixed(3)),
    'invoke_endpoint.warm.p99_ms': Number(invokeLatencies[Math.floor(invokeLatencies.length * 0.99)]!.toFixed(3)),
    'local_invoke.cli_wall.median_ms': Math.round(median(cliWall)),
    'local_invoke.instance_invoke.median_ms': Number(median(cliDuration).toFixed(2)),
    ...kafka,
    connections,
    seconds,
    rounds,
    instances: Number(values.instances),
  };
  const figures = runtimeApiFigures(measured);
  process.stdout.write(`${formatFigures(figures)}\n`);
  const out = resolve(values.out ?? join(here, 'results', `runtime-api-${new Date().toISOString().replace(/[:.]/g, '-')}.json`));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ timestamp: new Date().toISOString(), node: process.version, runtimeNode: node, tiny, benchmarks: figures, measured }, null, 2)}\n`);
  process.stdout.write(`wrote ${out}\n`);
}

/** One record at a time through a no-op function behind a mapping with MaximumBatchingWindowInSeconds 0. */
async function kafkaFigures(brokers: string[], stateDir: string, records: number): Promise<Record<string, number>> {
  const { Admin, Producer, stringSerializers } = await import('@platformatic/kafka');
  const { startLocalRuntime } = await import('../start-local-runtime.ts');
  const run = Date.now().toString(36);
  const topic = `runtime-bench.${run}`;
  const admin = new Admin({ clientId: 'runtime-bench', bootstrapBrokers: brokers });
  await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
  await admin.close();
  let waiting: ((report: { dispatchDelayMs: number; invokeMs: number }) => void) | undefined;
  const runtime = await startLocalRuntime({
    templatePath: resolve(here, '../tests/fixtures/kafka-latency/template.yaml'),
    stateDir,
    parameterOverrides: [`Topic=${topic}`, `GroupId=runtime-bench-${run}`, `Brokers=${brokers.join(',')}`],
    apiPort: false,
    invokePort: false,
    kafka: true,
    onNotice: () => undefined,
    onLog: () => undefined,
    onKafkaBatch: (report) => waiting?.(report),
  });
  const producer = new Producer({ clientId: 'runtime-bench', bootstrapBrokers: brokers, serializers: stringSerializers });
  const next = () => new Promise<{ dispatchDelayMs: number; invokeMs: number }>((done) => (waiting = done));
  // StartingPosition LATEST: send until the consumer has joined and sees records.
  for (;;) {
    const report = next();
    await producer.send({ messages: [{ topic, value: 'warm-up' }] });
    const seen = await Promise.race([report, new Promise((done) => setTimeout(() => done(undefined), 1000))]);
    if (seen) break;
  }
  const endToEnd: number[] = [];
  const dispatch: number[] = [];
  const invoke: number[] = [];
  for (let index = 0; index < records; index++) {
    const report = next();
    await producer.send({ messages: [{ topic, value: String(index) }] });
    const acked = performance.now();
    const { dispatchDelayMs, invokeMs } = await report;
    endToEnd.push(performance.now() - acked);
    dispatch.push(dispatchDelayMs);
    invoke.push(invokeMs);
  }
  await producer.close();
  await runtime.stop();
  const quantile = (items: number[], q: number) => [...items].sort((a, b) => a - b)[Math.floor(q * (items.length - 1))]!;
  return {
    'kafka_bridge.produce_ack_to_commit.p50_ms': Number(quantile(endToEnd, 0.5).toFixed(2)),
    'kafka_bridge.produce_ack_to_commit.p99_ms': Number(quantile(endToEnd, 0.99).toFixed(2)),
    'kafka_bridge.dispatch_delay.p50_ms': Number(quantile(dispatch, 0.5).toFixed(2)),
    'kafka_bridge.invoke_noop.p50_ms': Number(quantile(invoke, 0.5).toFixed(2)),
  };
}

await main();
