import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { InstanceData, Invocation, LambdaErrorPayload, WorkerMessage } from './worker-protocol.ts';

export interface FunctionInstanceSpec {
  logicalId: string;
  functionName: string;
  handlerFile: string;
  exportName: string;
  taskRoot: string;
  timeoutSeconds: number;
  memorySize: number;
  invokedFunctionArn: string;
  /** The environment of an instance, Lambda's runtime variables included. */
  env: Record<string, string>;
}

export type InvokeOutcome =
  | { ok: true; requestId: string; result: unknown; durationMs: number; logTail: string }
  | { ok: false; requestId: string; error: LambdaErrorPayload; durationMs: number; logTail: string };

export interface FunctionPoolOptions {
  workerScript: string;
  /** Instances kept warm at most; further invocations queue. */
  maxInstances: number;
  onLog: (logicalId: string, text: string) => void;
}

type Reply = { result: unknown } | { error: LambdaErrorPayload };

interface Job {
  invocation: Invocation;
  logTail: string;
  timer?: NodeJS.Timeout;
  settle: (reply: Reply) => void;
}

interface Instance {
  thread: Worker;
  /** Resolved when the handler module is loaded: undefined, or the init error. */
  ready: Promise<LambdaErrorPayload | undefined>;
  initialised: boolean;
  retired: boolean;
  exited: boolean;
  /** Handed to the instance, in order: the first is running, the others wait their turn there. */
  jobs: Job[];
  /** Handed over but not yet posted (posted together at the end of this turn of the event loop). */
  outbox: Invocation[];
}

const logTailBytes = 4096;
/**
 * Invocations an instance holds beyond the one it runs. Handing over the next invocations
 * before the current one ends, and several in one message, spares a thread wake-up per
 * request: under load that is most of the difference to calling a handler in-process. So
 * that a few dozen concurrent requests all reach instances (waiting in the pool, they
 * trickle over one per result), an instance holds up to 32; a queued invocation waits
 * behind the ones ahead of it on its instance.
 */
const queuedPerInstance = 32;

/** An X-Ray trace header; randomUUID draws from a cached pool, so this costs no system call. */
function traceId(): string {
  const uuid = randomUUID();
  return `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${uuid.slice(0, 8)}${uuid.slice(9, 13)}${uuid.slice(14, 18)}${uuid.slice(19, 23)};Parent=${uuid.slice(24, 36)}${uuid.slice(0, 4)};Sampled=0`;
}

function stoppedError(logicalId: string): LambdaErrorPayload {
  return { errorType: 'Runtime.Stopped', errorMessage: `${logicalId}: the runtime stopped before this invocation started`, trace: [] };
}

function appendTail(tail: string, text: string): string {
  const joined = tail + text;
  return joined.length > logTailBytes ? joined.slice(-logTailBytes) : joined;
}

/**
 * Warm instances of one function, each a worker thread running one invocation at a time,
 * like a Lambda execution environment. Threads rather than processes: handing an invocation
 * to a thread costs microseconds, to a process tens of them.
 * A new invocation goes to an idle instance, else to a new one (up to `maxInstances`), else
 * to the instance with the shortest queue; when every queue is full it waits here.
 * `reload` swaps the code: idle instances stop now, busy ones once their queue is done.
 */
export class FunctionPool {
  readonly #options: FunctionPoolOptions;
  #spec: FunctionInstanceSpec;
  #instances = new Set<Instance>();
  #waiting: Job[] = [];
  #flushScheduled = false;
  #nextId = 1;
  #stopped = false;

  constructor(spec: FunctionInstanceSpec, options: FunctionPoolOptions) {
    this.#spec = spec;
    this.#options = options;
  }

  get spec(): FunctionInstanceSpec {
    return this.#spec;
  }

  get size(): number {
    return this.#instances.size;
  }

  reload(spec: FunctionInstanceSpec): void {
    this.#spec = spec;
    for (const instance of this.#instances) {
      instance.retired = true;
      if (instance.jobs.length === 0) this.#kill(instance);
    }
  }

  async invoke(event: unknown, options: { requestId?: string; clientContext?: unknown } = {}): Promise<InvokeOutcome> {
    if (this.#stopped) throw new Error(`${this.#spec.logicalId} is stopped`);
    const requestId = options.requestId ?? randomUUID();
    const started = performance.now();
    const invocation: Invocation = {
      id: this.#nextId++,
      event: JSON.stringify(event) ?? 'null',
      requestId,
      timeoutMs: this.#spec.timeoutSeconds * 1000,
      invokedFunctionArn: this.#spec.invokedFunctionArn,
      traceId: traceId(),
      clientContext: options.clientContext,
    };
    const job: Job = { invocation, logTail: '', settle: () => undefined };
    const reply = await new Promise<Reply>((resolve) => {
      job.settle = resolve;
      this.#dispatch(job);
    });
    const durationMs = performance.now() - started;
    return 'error' in reply
      ? { ok: false, requestId, error: reply.error, durationMs, logTail: job.logTail }
      : { ok: true, requestId, result: reply.result, durationMs, logTail: job.logTail };
  }

  /** Starts one instance ahead of the first invocation, so its init is not on the clock. */
  async warm(): Promise<LambdaErrorPayload | undefined> {
    const instance = [...this.#instances].find((candidate) => !candidate.retired) ?? this.#spawn();
    const error = await instance.ready;
    if (error) this.#kill(instance);
    return error;
  }

  /**
   * Ends every instance that is running an invocation, as if its process died (a fault
   * drill): the running invocation fails with Runtime.ExitError, as in Lambda, and what the
   * instance held but had not started goes to other instances. Returns how many ended.
   */
  crashRunning(): number {
    const running = [...this.#instances].filter((instance) => instance.initialised && !instance.exited && instance.jobs.length > 0);
    for (const instance of running) void instance.thread.terminate();
    return running.length;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const job of this.#waiting.splice(0)) job.settle({ error: stoppedError(this.#spec.logicalId) });
    await Promise.all([...this.#instances].map((instance) => this.#kill(instance)));
  }

  #dispatch(job: Job): void {
    if (this.#stopped) {
      job.settle({ error: stoppedError(this.#spec.logicalId) });
      return;
    }
    const instance = this.#instanceFor();
    if (instance) this.#assign(instance, job);
    else this.#waiting.push(job);
  }

  /** Hands waiting invocations to instances with room. */
  #drainWaiting(): void {
    while (this.#waiting.length > 0) {
      const instance = this.#instanceFor();
      if (!instance) return;
      this.#assign(instance, this.#waiting.shift()!);
    }
  }

  #assign(instance: Instance, job: Job): void {
    instance.jobs.push(job);
    instance.outbox.push(job.invocation);
    if (instance.jobs.length === 1) this.#startClock(instance);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  #instanceFor(): Instance | undefined {
    let shortest: Instance | undefined;
    for (const instance of this.#instances) {
      if (instance.retired) continue;
      if (instance.jobs.length === 0) return instance;
      if (!shortest || instance.jobs.length < shortest.jobs.length) shortest = instance;
    }
    if (this.#instances.size < this.#options.maxInstances) return this.#spawn();
    return shortest && shortest.jobs.length <= queuedPerInstance ? shortest : undefined;
  }

  #flush(): void {
    this.#flushScheduled = false;
    for (const instance of this.#instances) {
      if (instance.outbox.length === 0) continue;
      instance.thread.postMessage({ type: 'invoke', invocations: instance.outbox });
      instance.outbox = [];
    }
  }

  /** The running invocation's timeout counts from when it reaches the front of an initialised instance. */
  #startClock(instance: Instance): void {
    const head = instance.jobs[0];
    if (!head || head.timer || !instance.initialised) return;
    head.timer = setTimeout(() => this.#timeOut(instance, head), head.invocation.timeoutMs);
  }

  #timeOut(instance: Instance, job: Job): void {
    // Lambda stops the environment on a timeout; the next invocation starts a fresh one.
    const message = `Task timed out after ${this.#spec.timeoutSeconds.toFixed(2)} seconds`;
    this.#options.onLog(this.#spec.logicalId, `${new Date().toISOString()} ${job.invocation.requestId} ${message}\n`);
    this.#finishHead(instance, { error: { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${job.invocation.requestId} Error: ${message}`, trace: [] } });
    this.#replaceInstance(instance);
  }

  /** Settles the running invocation and moves the next one to the front. */
  #finishHead(instance: Instance, reply: Reply): void {
    const head = instance.jobs.shift();
    if (!head) return;
    clearTimeout(head.timer);
    head.settle(reply);
    this.#startClock(instance);
  }

  /** Stops an instance; what it held but had not started goes to other instances. */
  #replaceInstance(instance: Instance): void {
    this.#kill(instance);
    const unstarted = instance.jobs.splice(0);
    instance.outbox = [];
    for (const job of unstarted) {
      clearTimeout(job.timer);
      job.timer = undefined;
      this.#dispatch(job);
    }
    this.#drainWaiting();
  }

  #afterInvocation(instance: Instance): void {
    if (instance.retired && instance.jobs.length === 0) this.#kill(instance);
    this.#drainWaiting();
  }

  #kill(instance: Instance): Promise<void> {
    instance.retired = true;
    this.#instances.delete(instance);
    // Like a stopped execution environment: terminate() ends even a handler stuck in a loop.
    return instance.exited ? Promise.resolve() : instance.thread.terminate().then(() => undefined);
  }

  #spawn(): Instance {
    const spec = this.#spec;
    // Lambda's Node.js bootstrap gives a tenth of the memory to the new space, the rest to the old space.
    const semiSpaceMb = Math.max(1, Math.floor(spec.memorySize / 20));
    const thread = new Worker(this.#options.workerScript, {
      workerData: { handlerFile: spec.handlerFile, exportName: spec.exportName } satisfies InstanceData,
      env: spec.env,
      // The runtime's own Node.js options (a TypeScript loader, for one) are not the function's.
      execArgv: [],
      name: spec.functionName,
      resourceLimits: { maxOldGenerationSizeMb: spec.memorySize - Math.floor(spec.memorySize / 10), maxYoungGenerationSizeMb: 3 * semiSpaceMb },
      stdout: true,
      stderr: true,
    });
    let initDone: (error: LambdaErrorPayload | undefined) => void = () => undefined;
    const instance: Instance = {
      thread,
      ready: new Promise((resolve) => (initDone = resolve)),
      initialised: false,
      retired: false,
      exited: false,
      jobs: [],
      outbox: [],
    };
    const onOutput = (text: string) => {
      const head = instance.jobs[0];
      if (head && instance.initialised) head.logTail = appendTail(head.logTail, text);
      this.#options.onLog(spec.logicalId, text);
    };
    const onInit = (error: LambdaErrorPayload | undefined) => {
      if (instance.initialised) return;
      instance.initialised = true;
      initDone(error);
      if (!error) return this.#startClock(instance);
      // As in Lambda, every invocation that meets a failed init answers with its error.
      this.#kill(instance);
      for (const job of instance.jobs.splice(0)) job.settle({ error });
      this.#drainWaiting();
    };
    thread.stdout.on('data', (chunk: Buffer) => onOutput(chunk.toString('utf8')));
    thread.stderr.on('data', (chunk: Buffer) => onOutput(chunk.toString('utf8')));
    thread.on('message', (message: WorkerMessage) => {
      switch (message.type) {
        case 'log':
          return onOutput(message.text);
        case 'ready':
          return onInit(undefined);
        case 'init-error':
          return onInit(message.error);
        case 'result':
        case 'error': {
          if (instance.jobs[0]?.invocation.id !== message.id) return;
          this.#finishHead(instance, message.type === 'result' ? { result: JSON.parse(message.result) } : { error: message.error });
          if (message.type === 'error' && message.fatal) this.#replaceInstance(instance);
          else this.#afterInvocation(instance);
        }
      }
    });
    // An error the thread could not report itself (out of memory, for one).
    let threadError: Error | undefined;
    thread.on('error', (error) => {
      threadError = error;
      onOutput(`instance error: ${error.message}\n`);
    });
    thread.on('exit', (code) => {
      instance.exited = true;
      const detail = threadError ? ` (${threadError.message})` : '';
      if (!instance.initialised) onInit({ errorType: 'Runtime.ExitError', errorMessage: `Runtime exited during init with exit status ${code}${detail}`, trace: [] });
      const head = instance.jobs[0];
      if (head) {
        const requestId = head.invocation.requestId;
        const outOfMemory = (threadError as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
        // Lambda reports a function that ran out of memory as killed.
        const error = outOfMemory
          ? { errorType: 'Runtime.OutOfMemory', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed${detail}`, trace: [] }
          : { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status ${code}${detail}`, trace: [] };
        this.#finishHead(instance, { error });
      }
      this.#replaceInstance(instance);
    });
    this.#instances.add(instance);
    return instance;
  }
}
