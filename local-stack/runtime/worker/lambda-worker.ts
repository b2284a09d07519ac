/**
 * One function instance, run as a worker thread with its own environment variables and
 * heap limits: loads the handler module once (its top-level await is the init phase) and
 * serves invocations posted by the pool, one at a time, like a Lambda execution
 * environment. Bundled to plain JavaScript; only node: built-ins here, since this file is
 * the whole runtime inside the thread.
 */
import { format } from 'node:util';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { InstanceData, Invocation, LambdaErrorPayload, ParentMessage, WorkerMessage } from './worker-protocol.ts';

const { handlerFile, exportName } = workerData as InstanceData;
const port = parentPort!;
let currentRequestId: string | undefined;
let currentInvocation: number | undefined;

function send(message: WorkerMessage): void {
  port.postMessage(message);
}

// A thread cannot take Node.js options; the one Lambda functions commonly set is honoured here.
if (/(^|\s)--enable-source-maps(\s|$)/.test(process.env.NODE_OPTIONS ?? '')) process.setSourceMapsEnabled(true);

function errorPayload(error: unknown, fallbackType = 'Error'): LambdaErrorPayload {
  if (error instanceof Error) {
    return { errorType: error.name || fallbackType, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  }
  return { errorType: fallbackType, errorMessage: typeof error === 'string' ? error : JSON.stringify(error) ?? String(error), trace: [] };
}

const logLine = (level: string, message: string) => `${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t${message}\n`;

// The Node.js runtime's console format: time, request id, level, message.
for (const [method, level] of [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']] as const) {
  console[method] = (...args: unknown[]) => send({ type: 'log', text: logLine(level, format(...args).replace(/\n/g, '\r')) });
}

// Whatever is written to stdout or stderr (a logger's own Console, for one) travels on the
// channel of the results too, so each line lands in its own invocation's log tail.
for (const stream of [process.stdout, process.stderr]) {
  stream.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
    send({ type: 'log', text: typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8') });
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  }) as typeof stream.write;
}

/** An uncaught error ends the runtime, as in Lambda, which logs it first. */
function fail(error: LambdaErrorPayload, label: string): void {
  send({ type: 'log', text: logLine('ERROR', `${label} \t${JSON.stringify({ errorType: error.errorType, errorMessage: error.errorMessage, stack: error.trace })}`) });
  if (currentInvocation !== undefined) send({ type: 'error', id: currentInvocation, error, fatal: true });
  else send({ type: 'init-error', error });
  process.exit(1);
}

process.on('uncaughtException', (error) => fail(errorPayload(error), 'Uncaught Exception'));
process.on('unhandledRejection', (reason) => {
  const payload = errorPayload(reason);
  fail({ errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: `${payload.errorType}: ${payload.errorMessage}`, trace: payload.trace }, 'Unhandled Promise Rejection');
});

type Handler = (event: unknown, context: unknown, callback?: (error: unknown, result?: unknown) => void) => unknown;

async function loadHandler(): Promise<Handler | undefined> {
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(handlerFile).href);
  } catch (error) {
    const payload = errorPayload(error);
    if (error instanceof SyntaxError) payload.errorType = 'Runtime.UserCodeSyntaxError';
    else if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') payload.errorType = 'Runtime.ImportModuleError';
    send({ type: 'init-error', error: payload });
    return undefined;
  }
  let handler: unknown = module;
  for (const part of exportName.split('.')) handler = (handler as Record<string, unknown> | undefined)?.[part];
  if (typeof handler !== 'function') {
    const file = handlerFile.split('/').pop()!.replace(/\.(m|c)?js$/, '');
    send({ type: 'init-error', error: { errorType: 'Runtime.HandlerNotFound', errorMessage: `${file}.${exportName} is undefined or not exported`, trace: [] } });
    return undefined;
  }
  return handler as Handler;
}

function contextFor(invocation: Invocation, deadlineMs: number) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: invocation.invokedFunctionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: invocation.requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: invocation.clientContext,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
    done: undefined,
    fail: undefined,
    succeed: undefined,
  };
}

function invoke(handler: Handler, event: unknown, invocation: Invocation): Promise<unknown> {
  const context = contextFor(invocation, Date.now() + invocation.timeoutMs);
  return new Promise((resolvePromise, rejectPromise) => {
    const callback = (error: unknown, result?: unknown) => (error ? rejectPromise(error) : resolvePromise(result));
    try {
      const returned = handler.length >= 3 ? handler(event, context, callback) : handler(event, context);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') (returned as Promise<unknown>).then(resolvePromise, rejectPromise);
      else if (handler.length < 3) resolvePromise(returned);
    } catch (error) {
      rejectPromise(error);
    }
  });
}

/** Runs one invocation and reports its result, or its error in AWS's shape. */
async function run(handler: Handler, invocation: Invocation): Promise<void> {
  currentInvocation = invocation.id;
  currentRequestId = invocation.requestId;
  process.env._X_AMZN_TRACE_ID = invocation.traceId;
  try {
    const result = await invoke(handler, JSON.parse(invocation.event), invocation);
    let serialised: string;
    try {
      // Lambda serialises the result as JSON: undefined becomes null.
      serialised = JSON.stringify(result) ?? 'null';
    } catch (error) {
      send({ type: 'error', id: invocation.id, error: { errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${(error as Error).message}`, trace: [] }, fatal: false });
      return;
    }
    send({ type: 'result', id: invocation.id, result: serialised });
  } catch (error) {
    send({ type: 'error', id: invocation.id, error: errorPayload(error), fatal: false });
  } finally {
    currentInvocation = undefined;
  }
}

const handler = await loadHandler();
if (handler) {
  // The pool may hand over the next invocations before this one ends; they run in order.
  const queue: Invocation[] = [];
  let running = false;
  port.on('message', async (message: ParentMessage) => {
    if (message.type !== 'invoke') return;
    queue.push(...message.invocations);
    if (running) return;
    running = true;
    while (queue.length > 0) await run(handler, queue.shift()!);
    running = false;
  });
  send({ type: 'ready' });
} else {
  process.exit(1);
}
