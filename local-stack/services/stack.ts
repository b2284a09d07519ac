import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Health, Installable, Service } from './component.ts';
import { extraService } from './components/extra-service.ts';
import { kafkaInstall, kafkaService } from './components/kafka.ts';
import { lambdaNodeInstall } from './components/lambda-node.ts';
import { minioInstall, minioService } from './components/minio.ts';
import { postgresInstall, postgresService } from './components/postgres.ts';
import { pythonInstall } from './components/python.ts';
import { checkPysparkHadoop, checkSparkOnLake, sparkJarsInstall } from './components/spark.ts';
import { isPortOpen, isRunning, readPidRecord, stopRecorded, tailOf, waitForPortsFree } from './processes.ts';
import { say, shown, step } from './progress.ts';
import { loopback, type StackSettings } from './settings.ts';

/** What `install`, `up`, `down` and `status` do, over the components of the stack. */

/** A component failed: names it and the log to read. */
export class ComponentError extends Error {
  override name = 'ComponentError';
  constructor(
    readonly component: string,
    reason: string,
    readonly logFile?: string,
  ) {
    super(`${component}: ${reason}${logFile ? `\n  log: ${shown(logFile)}\n${indent(tailOf(logFile))}` : ''}`);
  }
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => `    | ${line}`)
    .join('\n');

export function installables(settings: StackSettings): Installable[] {
  const { python, spark, lambdaNode, postgres } = settings.definition;
  const jars = spark?.jars ?? [];
  return [
    kafkaInstall(settings),
    minioInstall(settings),
    ...(postgres ? [postgresInstall(settings)] : []),
    ...(python ? [pythonInstall(settings, python.requirementsFile, () => checkPysparkHadoop(settings, jars))] : []),
    ...(spark ? [sparkJarsInstall(settings, jars)] : []),
    ...(lambdaNode ? [lambdaNodeInstall(settings, lambdaNode.version)] : []),
  ];
}

/** Spark runs in its users' processes; the stack only installs and checks it. */
const hasSpark = (settings: StackSettings) => settings.definition.python !== undefined && settings.definition.spark !== undefined;

/** The servers the package runs itself; they start side by side. */
const coreServices = (settings: StackSettings): Service[] => [
  kafkaService(settings),
  minioService(settings),
  ...(settings.definition.postgres ? [postgresService(settings, settings.definition.postgres)] : []),
];

/** Started in this order, after the core ones; a later service may need an earlier one (a Spark service reads MinIO). */
const extraServices = (settings: StackSettings): Service[] => (settings.definition.services ?? []).map((definition) => extraService(settings, definition));

export const services = (settings: StackSettings): Service[] => [...coreServices(settings), ...extraServices(settings)];

export async function install(settings: StackSettings): Promise<void> {
  mkdirSync(settings.paths.root, { recursive: true });
  const missing = installables(settings).filter((item) => !item.isInstalled());
  if (missing.length === 0) {
    say('✓ everything is installed');
    return;
  }
  // Builds run beside the downloads: on two cores the MinIO build then hides the pip install.
  const inTurn = async (items: Installable[]) => {
    for (const item of items) await step(`install ${item.name}`, () => item.install());
  };
  await settleAll([inTurn(missing.filter((item) => item.cpuBound)), inTurn(missing.filter((item) => !item.cpuBound))]);
  // The Maven repository, the pip cache and the Go caches are only needed by the installers.
  rmSync(join(settings.paths.root, 'cache'), { recursive: true, force: true });
}

export async function up(settings: StackSettings): Promise<void> {
  await install(settings);
  const core = coreServices(settings);
  const started = await settleAll(core.map(bringUp));
  // Spark is started on demand by its users; checking it costs a JVM start (a minute on a busy
  // machine), so only when the storage it reads was (re)started, not after a Kafka restart.
  const storageStarted = core.some((service, index) => service.name === 'minio' && started[index] === 'started');
  if (hasSpark(settings) && storageStarted) {
    const spark = await step('check Spark + Delta Lake on MinIO', () => checkSparkOnLake(settings));
    if (!spark.healthy) throw new ComponentError('spark', spark.reason, join(settings.paths.logs, 'spark-check.log'));
  }
  const enabled = extraServices(settings).filter((service) => service.isEnabled());
  for (const service of enabled) await bringUp(service);
  const extraAddresses = settings.services.filter((service) => enabled.some((running) => running.name === service.name));
  const more = extraAddresses.map((service) => `, ${service.name} ${service.url}`).join('');
  const postgres = settings.postgres ? `, PostgreSQL ${loopback}:${settings.postgres.port}/${settings.postgres.database}` : '';
  say(`stack is up: Kafka ${settings.kafkaBrokers.join(',')}, S3 ${settings.s3Endpoint} (bucket ${settings.bucket})${postgres}${more}`);
}

/** Like Promise.all, but lets every start finish before reporting the first failure. */
async function settleAll<T>(work: Promise<T>[]): Promise<T[]> {
  const outcomes = await Promise.allSettled(work);
  const failure = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failure) throw failure.reason;
  return outcomes.map((outcome) => (outcome as PromiseFulfilledResult<T>).value);
}

/** Starts a service unless it already runs, waits for it to answer, provisions it (also when it already ran), checks its health. */
async function bringUp(service: Service): Promise<'already-running' | 'started'> {
  const running = isRunning(readPidRecord(service.pidFile));
  if (running && (await service.health()).healthy) {
    // Provisioning is idempotent, and what it creates may have changed since the start (a new migration, a new topic).
    await service.provision?.();
    say(`✓ ${service.name} is already running`);
    return 'already-running';
  }
  return step(`start ${service.name}`, async () => {
    if (!running) {
      const taken = await openPorts(service.ports);
      if (taken.length > 0) {
        throw new ComponentError(service.name, `port ${taken.join(', ')} is in use by a process the stack did not start (see ss -ltnp)`);
      }
      await service.start().catch((error: Error) => {
        throw new ComponentError(service.name, error.message, service.logFile);
      });
    }
    await waitUntilAnswering(service);
    await service.provision?.();
    const health = await service.health();
    if (!health.healthy) throw new ComponentError(service.name, health.reason, service.logFile);
    return running ? 'already-running' : 'started';
  });
}

async function waitUntilAnswering(service: Service): Promise<void> {
  const deadline = Date.now() + service.startTimeoutMs;
  while (!(await service.isAnswering())) {
    if (!isRunning(readPidRecord(service.pidFile))) throw new ComponentError(service.name, 'exited during start-up', service.logFile);
    if (Date.now() > deadline) {
      throw new ComponentError(service.name, `did not answer within ${service.startTimeoutMs / 1000} s`, service.logFile);
    }
    await sleep(500);
  }
}

const openPorts = async (ports: number[]) => (await Promise.all(ports.map(async (port) => ((await isPortOpen(port)) ? [port] : [])))).flat();

/** Stops what the stack started (recorded pids only); with purge, deletes the state folder entirely. */
export async function down(settings: StackSettings, options: { purge: boolean }): Promise<void> {
  for (const service of services(settings).reverse()) {
    if (isRunning(readPidRecord(service.pidFile))) await step(`stop ${service.name}`, () => stopRecorded(service.pidFile));
    else {
      await stopRecorded(service.pidFile); // removes a stale pid file
      say(`· ${service.name} is not running`);
    }
  }
  const ports = services(settings).flatMap((service) => service.ports);
  const taken = await waitForPortsFree(ports);
  if (options.purge) {
    await step(`delete ${shown(settings.paths.root)} (installed tools, data, logs)`, async () => {
      rmSync(settings.paths.root, { recursive: true, force: true });
    });
  }
  if (taken.length > 0) {
    throw new ComponentError('stack', `port ${taken.join(', ')} is still in use by a process the stack did not start (see ss -ltnp)`);
  }
}

export interface StatusRow {
  component: string;
  ports: string;
  pid: string;
  health: Health | { healthy: 'not-counted'; detail: string };
  logFile: string;
}

/** One row per component; `deep` also runs the Spark + Delta check. */
export async function status(settings: StackSettings, options: { deep: boolean }): Promise<StatusRow[]> {
  const rows = await Promise.all(services(settings).map((service) => serviceStatus(settings, service)));
  if (!hasSpark(settings)) return rows;
  const sparkInstalled = installables(settings)
    .filter((item) => item.name === 'python venv' || item.name === 'spark jars')
    .every((item) => item.isInstalled());
  const sparkHealth: Health = !sparkInstalled
    ? { healthy: false, reason: 'not installed (run install)' }
    : options.deep
      ? await checkSparkOnLake(settings)
      : { healthy: true, detail: 'installed (--deep runs a Delta check)' };
  rows.splice(2, 0, { component: 'spark', ports: '-', pid: '-', health: sparkHealth, logFile: join(settings.paths.logs, 'spark-check.log') });
  return rows;
}

async function serviceStatus(settings: StackSettings, service: Service): Promise<StatusRow> {
  const record = readPidRecord(service.pidFile);
  const row = { component: service.name, ports: service.ports.join(','), pid: '-', logFile: service.logFile };
  if (!service.isEnabled()) return { ...row, health: { healthy: 'not-counted', detail: 'disabled by the stack definition' } };
  const installed = installables(settings).find((item) => item.name === service.name);
  if (installed && !installed.isInstalled()) return { ...row, health: { healthy: false, reason: 'not installed' } };
  if (!isRunning(record)) {
    const taken = await openPorts(service.ports);
    const reason = taken.length > 0 ? `stopped; port ${taken.join(', ')} taken by another process` : 'stopped';
    return { ...row, health: { healthy: false, reason } };
  }
  return { ...row, pid: String(record.pid), health: await service.health() };
}

export const allHealthy = (rows: StatusRow[]) => rows.every((row) => row.health.healthy !== false);

export function formatStatus(rows: StatusRow[]): string {
  const cells = rows.map((row) => [
    row.component,
    row.ports,
    row.pid,
    row.health.healthy === true ? `healthy: ${row.health.detail}` : row.health.healthy === false ? `UNHEALTHY: ${row.health.reason}` : row.health.detail,
    shown(row.logFile),
  ]);
  const table = [['component', 'ports', 'pid', 'health', 'log'], ...cells];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((line) => line[column]!.length)));
  return table.map((line) => line.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}

/**
 * For tests and tools that need the stack running: fails with one clear message naming
 * each unhealthy component and its log, instead of a connection error deep in a client.
 */
export async function requireRunning(settings: StackSettings, names: string[], options: { startCommand?: string } = {}): Promise<void> {
  const wanted = services(settings).filter((service) => names.includes(service.name));
  const problems = await Promise.all(
    wanted.map(async (service) => {
      const health = await service.health();
      return health.healthy ? [] : [`${service.name}: ${health.reason} (log ${shown(service.logFile)})`];
    }),
  );
  if (problems.flat().length > 0) {
    throw new Error(`the local stack is not up; start it with \`${options.startCommand ?? 'local-services up'}\`\n  ${problems.flat().join('\n  ')}`);
  }
}
