/**
 * One function instance: loads the handler module once (its top-level await is the init
 * phase) and serves invocations sent by the parent over IPC, one at a time, like a Lambda
 * execution environment. Bundled to plain JavaScript so any Node.js binary can run it.
 * Only node: built-ins here: this file is the whole runtime inside the process.
 */
import { format } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { InvokeMessage, LambdaErrorPayload, ParentMessage, WorkerMessage } from './worker-protocol.ts';

const [handlerFile, exportName] = process.argv.slice(2) as [string, string];
let currentRequestId: string | undefined;
let currentInvocation: number | undefined;

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function errorPayload(error: unknown, fallbackType = 'Error'): LambdaErrorPayload {
  if (error instanceof Error) {
    return { errorType: error.name || fallbackType, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  }
  return { errorType: fallbackType, errorMessage: typeof error === 'string' ? error : JSON.stringify(error) ?? String(error), trace: [] };
}

// The Node.js runtime's console format: time, request id, level, message.
for (const [method, level] of [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']] as const) {
  console[method] = (...args: unknown[]) => {
    const message = format(...args).replace(/\n/g, '\r');
    process.stdout.write(`${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t${message}\n`);
  };
}

function fail(error: LambdaErrorPayload): void {
  if (currentInvocation !== undefined) send({ type: 'error', id: currentInvocation, error, fatal: true });
  else send({ type: 'init-error', error });
  // The runtime does not survive an uncaught error: the instance is replaced.
  setTimeout(() => process.exit(1), 20);
}

process.on('uncaughtException', (error) => fail(errorPayload(error)));
process.on('unhandledRejection', (reason) => {
  const payload = errorPayload(reason);
  fail({ errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: `${payload.errorType}: ${payload.errorMessage}`, trace: payload.trace });
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

function contextFor(message: InvokeMessage) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: message.requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: message.clientContext,
    getRemainingTimeInMillis: () => Math.max(0, message.deadlineMs - Date.now()),
    done: undefined,
    fail: undefined,
    succeed: undefined,
  };
}

function invoke(handler: Handler, message: InvokeMessage): Promise<unknown> {
  const context = contextFor(message);
  return new Promise((resolvePromise, rejectPromise) => {
    const callback = (error: unknown, result?: unknown) => (error ? rejectPromise(error) : resolvePromise(result));
    try {
      const returned = handler.length >= 3 ? handler(message.event, context, callback) : handler(message.event, context);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') (returned as Promise<unknown>).then(resolvePromise, rejectPromise);
      else if (handler.length < 3) resolvePromise(returned);
    } catch (error) {
      rejectPromise(error);
    }
  });
}

const handler = await loadHandler();
if (handler) {
  process.on('message', async (message: ParentMessage) => {
    if (message.type !== 'invoke') return;
    currentInvocation = message.id;
    currentRequestId = message.requestId;
    process.env._X_AMZN_TRACE_ID = message.traceId;
    try {
      const result = await invoke(handler, message);
      // Lambda serialises the result as JSON: undefined becomes null.
      const serialised = result === undefined ? null : result;
      try {
        send({ type: 'result', id: message.id, result: serialised });
      } catch (error) {
        send({ type: 'error', id: message.id, error: { errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${(error as Error).message}`, trace: [] }, fatal: false });
      }
    } catch (error) {
      send({ type: 'error', id: message.id, error: errorPayload(error), fatal: false });
    } finally {
      currentInvocation = undefined;
    }
  });
  send({ type: 'ready' });
} else {
  setTimeout(() => process.exit(1), 20);
}
