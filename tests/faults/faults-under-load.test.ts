import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackSettings } from '../../local-stack/stack.config.ts';
import { duplicateRows } from '../../tools/pipeline/duplicate-rows.ts';
import { launchRuntime } from '../../tools/pipeline/local-services.ts';
import { reconcile } from '../../tools/pipeline/reconcile.ts';
import { useLocalRuntime } from '../e2e/support.ts';
import { waitUntilSwept } from './merge-service.ts';
import { type CatchUp, type Fault, runFault } from './recovery.ts';
import { crashRunningInstance, waitUntilRuntimeWaitsOnStorage } from './runtime-instances.ts';
import { componentPid, restartStack, type StackComponent, signalComponent, waitUntilGone } from './stack-processes.ts';
import { SteadyLoad } from './steady-load.ts';
import { ValidatedEvents } from './validated-events.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const runId = `faults${Date.now().toString(36)}-`;

const local = useLocalRuntime();
const storagePort = Number(new URL(stackSettings.s3Endpoint).port);

/** SIGKILL to a stack component's process group, a few seconds down, then `npm run stack:up`. */
const killed = (component: StackComponent, downMs = 5000): Fault => ({
  name: `${component}-sigkill`,
  async inject() {
    const pid = componentPid(component);
    signalComponent(component, 'SIGKILL');
    await waitUntilGone(pid);
    await sleep(downMs);
  },
  async restore() {
    restartStack();
  },
});

// Longer than the S3 client's timeouts (3 s to connect, 20 s idle: README, "What happens when"), so requests time out.
const minioPaused: Fault = {
  name: 'minio-sigstop',
  async inject() {
    signalComponent('minio', 'SIGSTOP');
    await sleep(25_000);
  },
  async restore() {
    signalComponent('minio', 'SIGCONT');
  },
};

/** The whole Docker-free runtime (npm, the runtime, its function workers) killed at once, then started again. */
const runtimeKilled: Fault = {
  name: 'runtime-sigkill',
  async inject() {
    process.kill(-local.runtime.pid, 'SIGKILL');
    await waitUntilGone(local.runtime.pid);
    await sleep(3000);
  },
  async restore() {
    local.runtime = await launchRuntime();
    await local.runtime.ready();
  },
};

/**
 * A validate instance ends mid-invocation: MinIO is paused so that invocations hang on their S3
 * write, then the runtime ends every instance running one (SIGUSR2), as if its process died.
 */
const functionInstanceKilled = (load: () => SteadyLoad): Fault => ({
  name: 'function-instance-crash',
  async inject() {
    // Ingest instances may end too: the HTTP API answers 500, and the producer sends again.
    load().retried.add(500);
    signalComponent('minio', 'SIGSTOP');
    try {
      await waitUntilRuntimeWaitsOnStorage(local.runtime.pid, storagePort);
      const signals = await crashRunningInstance(local.runtime.pid, 'ValidateFunction');
      console.log(`function-instance-crash: a ValidateFunction instance ended mid-invocation after ${signals} SIGUSR2`);
    } finally {
      signalComponent('minio', 'SIGCONT');
    }
  },
  async restore() {
    load().retried.delete(500);
  },
});

describe('acknowledged records under steady ingest while components die', () => {
  const validated = new ValidatedEvents();
  const catchUps: CatchUp[] = [];
  let load: SteadyLoad;

  beforeAll(async () => {
    await validated.refresh();
    load = new SteadyLoad({ apiUrl: local.runtime.apiUrl, token: local.token, keyPrefix: runId });
    load.start();
    await load.firstAcceptedAfter(Date.now());
    await sleep(10_000);
  });

  afterAll(async () => {
    await load?.stop().catch(() => undefined);
    for (const figures of catchUps) console.log(`fault ${figures.fault}: caught up in ${figures.caughtUpSeconds} s`);
  });

  for (const fault of [killed('minio'), minioPaused, killed('job-service'), runtimeKilled, functionInstanceKilled(() => load), killed('kafka')]) {
    it(`${fault.name}: after the restart, ingest answers 202 again, the records acked since the fault are validated and merges run`, async () => {
      const figures = await runFault(fault, load, validated);
      catchUps.push(figures);
      expect(figures.recordsAcked).toBeGreaterThan(0);
    });
  }

  it('every acknowledged record is in curated, quarantined or superseded exactly once, with no manual step', async () => {
    await load.stop();
    const stoppedAt = Date.now();
    const ids = load.accepted.map((record) => record.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    await validated.waitFor(ids, 180_000);
    const settledAt = await waitUntilSwept(300_000);
    console.log(`all faults: ${ids.length} records acked (${[...load.refusals].map(([status, n]) => `${n} refused with ${status || 'no answer'}`).join(', ') || 'none refused'}); settled ${Math.round((settledAt - stoppedAt) / 1000)} s after the load stopped`);

    // Two Spark processes side by side: each spends most of its time starting.
    const [result, duplicates] = await Promise.all([reconcile(load.accepted), duplicateRows(load.accepted)]);
    console.log(`reconciliation: ${JSON.stringify({ ...result.totals, freshnessSeconds: undefined })}`);
    expect(result.totals).toMatchObject({ accepted: ids.length, lost: 0, inBoth: 0 });
    expect(result.totals.valid + result.totals.quarantined).toBe(ids.length);
    expect(result.totals.curated + result.totals.superseded + result.totals.deletesApplied).toBe(result.totals.valid);
    // The reconciliation counts distinct ids: a record loaded twice shows only as a second row.
    expect(duplicates).toEqual([]);
  });
});
