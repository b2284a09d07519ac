import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FunctionRegistry } from '../../function-registry.ts';
import type { InvokeOutcome } from '../../worker/function-pool.ts';
import { fixtureTemplate, testStateDir } from '../support.ts';

const templatePath = fixtureTemplate('instances');

/** What tests/fixtures/instances/instance.ts answers. */
interface Reply {
  instanceId: string;
  maxInFlight: number;
  value: unknown;
}

function reply(outcome: InvokeOutcome): Reply {
  if (!outcome.ok) throw new Error(`expected a result, got ${outcome.error.errorType}: ${outcome.error.errorMessage}`);
  return outcome.result as Reply;
}

const trace = (outcome: InvokeOutcome) => (outcome.ok ? '' : outcome.error.trace.join('\n'));

describe('function instances (one instance per function at most)', () => {
  let registry: FunctionRegistry;

  // A registry per test, so each starts with no instance; the bundles are built once and reused.
  beforeEach(async () => {
    registry = await FunctionRegistry.create({ templatePath, stateDir: testStateDir, maxInstances: 1, onLog: () => undefined, onNotice: () => undefined });
  });
  afterEach(() => registry.stop());

  it('runs one invocation at a time: 40 concurrent invocations all succeed on one instance, never two at once', async () => {
    // One instance takes the first invocation plus 32 queued behind it; the other 7 wait in the pool.
    // The handler awaits a timer, so an instance that took the next message early would overlap them.
    const outcomes = await Promise.all(Array.from({ length: 40 }, () => registry.invoke('WorkFunction', { action: 'sleep', ms: 5 })));
    const replies = outcomes.map(reply);
    expect(new Set(replies.map((answer) => answer.instanceId)).size).toBe(1);
    expect(Math.max(...replies.map((answer) => answer.maxInFlight))).toBe(1);
  });

  it('counts the Timeout from when an invocation starts, not from when it was queued', async () => {
    // Three 400 ms invocations on one instance take 1.2 s together, more than the 1 s Timeout; each alone takes less.
    const outcomes = await Promise.all([1, 2, 3].map(() => registry.invoke('ShortTimeoutFunction', { action: 'sleep', ms: 400 })));
    expect(new Set(outcomes.map((outcome) => reply(outcome).instanceId)).size).toBe(1);
  });

  it("fails a timed-out invocation with AWS's Sandbox.Timedout error and runs the invocations queued behind it on a fresh instance", async () => {
    const pool = await registry.pool('ShortTimeoutFunction');
    const before = reply(await pool.invoke({ action: 'sleep', ms: 0 }));
    // A synchronous loop: the thread cannot answer anything, so only terminating it ends the invocation.
    const [blocked, ...queued] = await Promise.all([
      pool.invoke({ action: 'block', ms: 10_000 }, { requestId: 'blocked-request' }),
      pool.invoke({ action: 'sleep', ms: 0 }),
      pool.invoke({ action: 'sleep', ms: 0 }),
    ]);
    expect(blocked).toMatchObject({ ok: false, error: { errorType: 'Sandbox.Timedout', errorMessage: 'RequestId: blocked-request Error: Task timed out after 1.00 seconds' } });
    const [second, third] = queued.map(reply);
    expect(second!.instanceId).not.toBe(before.instanceId);
    expect(third!.instanceId).toBe(second!.instanceId);
  });

  it('fails an invocation whose handler calls process.exit(3) with Runtime.ExitError, and runs the queued ones on a new instance', async () => {
    const pool = await registry.pool('WorkFunction');
    const before = reply(await pool.invoke({ action: 'sleep', ms: 0 }));
    const [exited, ...queued] = await Promise.all([
      pool.invoke({ action: 'exit', code: 3 }, { requestId: 'exiting-request' }),
      pool.invoke({ action: 'sleep', ms: 0 }),
      pool.invoke({ action: 'sleep', ms: 0 }),
    ]);
    expect(exited).toMatchObject({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: 'RequestId: exiting-request Error: Runtime exited with error: exit status 3' } });
    const [second, third] = queued.map(reply);
    expect(second!.instanceId).not.toBe(before.instanceId);
    expect(third!.instanceId).toBe(second!.instanceId);
    expect(pool.size).toBe(1);
  });

  it('ends the instance running an invocation on crashRunning (a fault drill): Runtime.ExitError, and the queued ones run on a new instance', async () => {
    const pool = await registry.pool('WorkFunction');
    const before = reply(await pool.invoke({ action: 'sleep', ms: 0 }));
    const running = pool.invoke({ action: 'sleep', ms: 5000 }, { requestId: 'crashed-request' });
    const queued = [pool.invoke({ action: 'sleep', ms: 0 }), pool.invoke({ action: 'sleep', ms: 0 })];
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(pool.crashRunning()).toBe(1);

    expect(await running).toMatchObject({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: expect.stringMatching(/^RequestId: crashed-request Error: Runtime exited with error: exit status/) } });
    const [second, third] = (await Promise.all(queued)).map(reply);
    expect(second!.instanceId).not.toBe(before.instanceId);
    expect(third!.instanceId).toBe(second!.instanceId);
    expect(pool.crashRunning()).toBe(0);
  });

  it("fails an invocation with the error's own type when a timer throws during it, and runs the next invocation on a new instance", async () => {
    const pool = await registry.pool('WorkFunction');
    const before = reply(await pool.invoke({ action: 'sleep', ms: 0 }));
    const [thrown, next] = await Promise.all([pool.invoke({ action: 'throwLater' }), pool.invoke({ action: 'sleep', ms: 0 })]);
    expect(thrown).toMatchObject({ ok: false, error: { errorType: 'LedgerTimerError', errorMessage: 'thrown from a timer' } });
    expect(trace(thrown)).toMatch(/^LedgerTimerError: thrown from a timer\n/);
    expect(reply(next).instanceId).not.toBe(before.instanceId);
    expect(pool.size).toBe(1);
  });

  it("keeps each function's process.env to itself: what one sets at run time, another function does not see", async () => {
    const names = ['INSTANCES_FIXTURE_OWNER', 'INSTANCES_FIXTURE_ONLY_A', 'INSTANCES_FIXTURE_SET_BY_A'];
    reply(await registry.invoke('EnvAFunction', { action: 'setEnv', values: { INSTANCES_FIXTURE_OWNER: 'changed-by-a', INSTANCES_FIXTURE_SET_BY_A: 'set-by-a' } }));
    const a = reply(await registry.invoke('EnvAFunction', { action: 'readEnv', names }));
    const b = reply(await registry.invoke('EnvBFunction', { action: 'readEnv', names }));
    // A's instance keeps its change between invocations, as a warm Lambda environment does.
    expect(a.value).toEqual({ INSTANCES_FIXTURE_OWNER: 'changed-by-a', INSTANCES_FIXTURE_ONLY_A: 'only-in-a', INSTANCES_FIXTURE_SET_BY_A: 'set-by-a' });
    expect(b.value).toEqual({ INSTANCES_FIXTURE_OWNER: 'function-b', INSTANCES_FIXTURE_ONLY_A: null, INSTANCES_FIXTURE_SET_BY_A: null });
    // Nor does it reach the runtime's own process, where the next instance's environment would come from.
    expect(process.env.INSTANCES_FIXTURE_SET_BY_A).toBeUndefined();
  });

  it('maps stack traces to the .ts source only when the function sets NODE_OPTIONS=--enable-source-maps', async () => {
    // Both functions bundle thrower.ts with a source map; only SourceMapsFunction sets the option.
    const mapped = await registry.invoke('SourceMapsFunction', {});
    const unmapped = await registry.invoke('NoSourceMapsFunction', {});
    expect(mapped).toMatchObject({ ok: false, error: { errorType: 'LedgerSourceMapError', errorMessage: 'balance check failed' } });
    // Line 7 of thrower.ts is the throw in checkBalance.
    expect(trace(mapped)).toMatch(/thrower\.ts:7:\d+/);
    expect(trace(unmapped)).toMatch(/thrower\.mjs:\d+:\d+/);
    expect(trace(unmapped)).not.toContain('thrower.ts');
  });

  it("gives each invocation a logTail of its own console lines only, when two are queued on one instance", async () => {
    const pool = await registry.pool('WorkFunction');
    const [first, second] = await Promise.all([
      pool.invoke({ action: 'log', lines: ['first 1', 'first 2', 'first 3'] }, { requestId: 'first-request' }),
      pool.invoke({ action: 'log', lines: ['second 1', 'second 2'] }, { requestId: 'second-request' }),
    ]);
    expect(reply(second).instanceId).toBe(reply(first).instanceId);
    // Lines are "<time>\t<request id>\tINFO\t<message>"; the time is left out.
    const lines = (outcome: InvokeOutcome) => outcome.logTail.trimEnd().split('\n').map((line) => line.split('\t').slice(1).join('\t'));
    expect(lines(first)).toEqual(['first-request\tINFO\tfirst 1', 'first-request\tINFO\tfirst 2', 'first-request\tINFO\tfirst 3']);
    expect(lines(second)).toEqual(['second-request\tINFO\tsecond 1', 'second-request\tINFO\tsecond 2']);
  });

  it('gives each invocation the lines its handler wrote to process.stdout directly, in its own logTail', async () => {
    const pool = await registry.pool('WorkFunction');
    const [first, second] = await Promise.all([
      pool.invoke({ action: 'write', lines: ['{"level":"INFO","message":"first"}'] }),
      pool.invoke({ action: 'write', lines: ['{"level":"INFO","message":"second"}'] }),
    ]);
    expect(first.logTail).toBe('{"level":"INFO","message":"first"}\n');
    expect(second.logTail).toBe('{"level":"INFO","message":"second"}\n');
  });

  it('logs an error thrown after an invocation returned, as Lambda does, and serves the next invocation from a new instance', async () => {
    const lines: string[] = [];
    const logged = await FunctionRegistry.create({ templatePath, stateDir: testStateDir, maxInstances: 1, onLog: (_id, text) => lines.push(text), onNotice: () => undefined });
    try {
      const before = reply(await logged.invoke('WorkFunction', { action: 'throwAfterReturn' }));
      await expect.poll(() => lines.join('')).toContain('Uncaught Exception');
      expect(lines.join('')).toContain('"errorType":"LedgerTimerError","errorMessage":"thrown after the invocation returned"');
      const after = reply(await logged.invoke('WorkFunction', { action: 'sleep', ms: 0 }));
      expect(after.instanceId).not.toBe(before.instanceId);
    } finally {
      await logged.stop();
    }
  });

  it('fails an invocation that outgrows the MemorySize with Runtime.OutOfMemory, and serves the next one from a new instance', async () => {
    const outcome = await registry.invoke('WorkFunction', { action: 'allocate' });
    expect(outcome).toMatchObject({ ok: false, error: { errorType: 'Runtime.OutOfMemory' } });
    expect(outcome.ok ? '' : outcome.error.errorMessage).toMatch(/^RequestId: \S+ Error: Runtime exited with error: signal: killed/);
    reply(await registry.invoke('WorkFunction', { action: 'sleep', ms: 0 }));
  });

  it('stop() fails the invocations queued on an instance with Runtime.Stopped and starts no new instance', async () => {
    const pool = await registry.pool('WorkFunction');
    reply(await pool.invoke({ action: 'sleep', ms: 0 }));
    // pool.invoke hands both to the idle instance at once: one runs, one is queued there.
    const running = pool.invoke({ action: 'sleep', ms: 5000 });
    const queued = pool.invoke({ action: 'sleep', ms: 0 });
    await registry.stop();
    // Awaited before the assertions, so a queued invocation run elsewhere has ended when afterEach stops again.
    const [runningOutcome, queuedOutcome] = await Promise.all([running, queued]);
    expect(runningOutcome.ok).toBe(false);
    expect(queuedOutcome).toMatchObject({ ok: false, error: { errorType: 'Runtime.Stopped' } });
    // A thread started after stop() would keep the process alive.
    expect(pool.size).toBe(0);
  });
});
