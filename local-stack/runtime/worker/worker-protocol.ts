/** AWS's error shape, as the Invoke API returns it for a function error. */
export interface LambdaErrorPayload {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/** What an instance thread is started with (its `workerData`). */
export interface InstanceData {
  handlerFile: string;
  exportName: string;
}

export interface Invocation {
  id: number;
  /** The event as JSON text: the instance parses it, as Lambda's runtime does. */
  event: string;
  requestId: string;
  /** The deadline is this far from when the instance starts the invocation. */
  timeoutMs: number;
  invokedFunctionArn: string;
  traceId: string;
  clientContext?: unknown;
}

/** Invocations to run in order, one at a time. */
export type ParentMessage = { type: 'invoke'; invocations: Invocation[] };

/** Logs travel on the same channel as results, so an invocation's lines arrive before its result. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: LambdaErrorPayload }
  | { type: 'log'; text: string }
  | { type: 'result'; id: number; result: string }
  | { type: 'error'; id: number; error: LambdaErrorPayload; fatal: boolean };
