import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { LambdaErrorPayload, WorkerMessage } from './worker-protocol.ts';

export interface FunctionInstanceSpec {
  logicalId: string;
  functionName: string;
  handlerFile: string;
  exportName: string;
  taskRoot: string;
  timeoutSeconds: number;
  memorySize: number;
  invokedFunctionArn: string;
  /** The process environment of an instance, Lambda's runtime variables included. */
  env: Record<string, string>;
}

export type InvokeOutcome =
  | { ok: true; requestId: string; result: unknown; durationMs: number; logTail: string }
  | { ok: false; requestId: string; error: LambdaErrorPayload; durationMs: number; logTail: string };

export interface FunctionPoolOptions {
  workerScript: string;
  /** Node.js binary for the instances (the Lambda runtime's major version when available). */
  nodePath: string;
  /** Instances kept warm at most; further invocations wait for a free one. */
  maxInstances: number;
  onLog: (logicalId: string, text: string) => void;
}

interface Instance {
  process: ChildProcess;
  ready: Promise<LambdaErrorPayload | undefined>;
  busy: boolean;
  retired: boolean;
  generation: number;
  logTail: string;
  pending?: { id: number; resolve: (message: WorkerMessage) => void };
}

const logTailBytes = 4096;

/** An X-Ray trace header; randomUUID draws from a cached pool, so this costs no system call. */
function traceId(): string {
  const hex = randomUUID().replaceAll('-', '');
  return `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${hex.slice(0, 24)};Parent=${hex.slice(16, 32)};Sampled=0`;
}

/**
 * Warm instances of one function, each a child process serving one invocation at a time.
 * `reload` swaps the code: idle instances stop now, busy ones after their invocation.
 */
export class FunctionPool {
  readonly #options: FunctionPoolOptions;
  #spec: FunctionInstanceSpec;
  #generation = 0;
  #instances = new Set<Instance>();
  #waiting: ((instance: Instance) => void)[] = [];
  #nextId = 1;
  #stopped = false;

  constructor(spec: FunctionInstanceSpec, options: FunctionPoolOptions) {
    this.#spec = spec;
    this.#options = options;
  }

  get spec(): FunctionInstanceSpec {
    return this.#spec;
  }

  reload(spec: FunctionInstanceSpec): void {
    this.#spec = spec;
    this.#generation += 1;
    for (const instance of this.#instances) {
      instance.retired = true;
      if (!instance.busy) this.#kill(instance);
    }
  }

  async invoke(event: unknown, options: { requestId?: string; clientContext?: unknown } = {}): Promise<InvokeOutcome> {
    if (this.#stopped) throw new Error(`${this.#spec.logicalId} is stopped`);
    const requestId = options.requestId ?? randomUUID();
    const started = performance.now();
    const instance = await this.#acquire();
    const finish = (outcome: { result?: unknown; error?: LambdaErrorPayload }): InvokeOutcome => {
      const durationMs = performance.now() - started;
      const logTail = instance.logTail;
      return outcome.error
        ? { ok: false, requestId, error: outcome.error, durationMs, logTail }
        : { ok: true, requestId, result: outcome.result, durationMs, logTail };
    };
    try {
      const initError = await instance.ready;
      if (initError) {
        this.#kill(instance);
        return finish({ error: initError });
      }
      instance.logTail = '';
      const timeoutMs = this.#spec.timeoutSeconds * 1000;
      const id = this.#nextId++;
      const reply = await new Promise<WorkerMessage | 'timeout' | 'exit'>((resolve) => {
        const timer = setTimeout(() => resolve('timeout'), timeoutMs);
        const onExit = () => resolve('exit');
        instance.process.once('exit', onExit);
        instance.pending = {
          id,
          resolve: (message) => {
            clearTimeout(timer);
            instance.process.off('exit', onExit);
            resolve(message);
          },
        };
        instance.process.send({
          type: 'invoke',
          id,
          event,
          requestId,
          deadlineMs: Date.now() + timeoutMs,
          invokedFunctionArn: this.#spec.invokedFunctionArn,
          traceId: traceId(),
          clientContext: options.clientContext,
        });
      });
      instance.pending = undefined;
      if (reply === 'timeout') {
        // Lambda stops the environment on a timeout; the next invocation starts a fresh one.
        this.#kill(instance);
        const message = `Task timed out after ${this.#spec.timeoutSeconds.toFixed(2)} seconds`;
        this.#options.onLog(this.#spec.logicalId, `${new Date().toISOString()} ${requestId} ${message}\n`);
        return finish({ error: { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: ${message}`, trace: [] } });
      }
      if (reply === 'exit') {
        this.#kill(instance);
        return finish({ error: { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status ${instance.process.exitCode ?? 'signal'}`, trace: [] } });
      }
      if (reply.type === 'result') return finish({ result: reply.result });
      if (reply.type === 'error') {
        if (reply.fatal) this.#kill(instance);
        return finish({ error: reply.error });
      }
      return finish({ error: { errorType: 'Runtime.Unknown', errorMessage: `unexpected message ${reply.type}`, trace: [] } });
    } finally {
      this.#release(instance);
    }
  }

  /** Starts one instance ahead of the first invocation, so its init is not on the clock. */
  async warm(): Promise<LambdaErrorPayload | undefined> {
    const instance = await this.#acquire();
    const error = await instance.ready;
    if (error) this.#kill(instance);
    this.#release(instance);
    return error;
  }

  get size(): number {
    return this.#instances.size;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const exits = [...this.#instances].map((instance) => new Promise<void>((resolve) => {
      if (instance.process.exitCode !== null || instance.process.signalCode !== null) return resolve();
      instance.process.once('exit', () => resolve());
      this.#kill(instance);
    }));
    await Promise.all(exits);
  }

  #acquire(): Promise<Instance> {
    for (const instance of this.#instances) {
      if (!instance.busy && !instance.retired) {
        instance.busy = true;
        return Promise.resolve(instance);
      }
    }
    if (this.#instances.size < this.#options.maxInstances) {
      const instance = this.#spawn();
      instance.busy = true;
      return Promise.resolve(instance);
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(instance: Instance): void {
    instance.busy = false;
    if (instance.retired || instance.generation !== this.#generation) {
      this.#kill(instance);
    }
    const next = this.#waiting.shift();
    if (!next) return;
    if (this.#instances.has(instance) && !instance.retired) {
      instance.busy = true;
      next(instance);
    } else {
      const fresh = this.#spawn();
      fresh.busy = true;
      next(fresh);
    }
  }

  #kill(instance: Instance): void {
    instance.retired = true;
    this.#instances.delete(instance);
    if (instance.process.exitCode === null && instance.process.signalCode === null) instance.process.kill('SIGKILL');
  }

  #spawn(): Instance {
    const spec = this.#spec;
    const child = fork(this.#options.workerScript, [spec.handlerFile, spec.exportName], {
      cwd: spec.taskRoot,
      env: spec.env,
      execPath: this.#options.nodePath,
      // Like Lambda's Node.js bootstrap: a tenth of the memory for the new space, the rest old space.
      execArgv: [`--max-semi-space-size=${Math.max(1, Math.floor(spec.memorySize / 20))}`, `--max-old-space-size=${spec.memorySize - Math.floor(spec.memorySize / 10)}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const instance: Instance = { process: child, busy: false, retired: false, generation: this.#generation, logTail: '', ready: Promise.resolve(undefined) };
    const onOutput = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      instance.logTail = (instance.logTail + text).slice(-logTailBytes);
      this.#options.onLog(spec.logicalId, text);
    };
    child.stdout!.on('data', onOutput);
    child.stderr!.on('data', onOutput);
    instance.ready = new Promise((resolve) => {
      const onExit = (code: number | null) => resolve({ errorType: 'Runtime.ExitError', errorMessage: `Runtime exited during init with ${code === null ? 'a signal' : `exit status ${code}`}`, trace: [] });
      child.once('exit', onExit);
      child.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready' || message.type === 'init-error') {
          child.off('exit', onExit);
          resolve(message.type === 'ready' ? undefined : message.error);
          return;
        }
        if (instance.pending && 'id' in message && message.id === instance.pending.id) instance.pending.resolve(message);
      });
    });
    child.on('exit', () => this.#instances.delete(instance));
    child.on('error', (error) => this.#options.onLog(spec.logicalId, `instance error: ${error.message}\n`));
    this.#instances.add(instance);
    return instance;
  }
}
