/** AWS's error shape, as the Invoke API returns it for a function error. */
export interface LambdaErrorPayload {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

export interface InvokeMessage {
  type: 'invoke';
  id: number;
  event: unknown;
  requestId: string;
  deadlineMs: number;
  invokedFunctionArn: string;
  traceId: string;
  clientContext?: unknown;
}

export type ParentMessage = InvokeMessage;

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: LambdaErrorPayload }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: LambdaErrorPayload; fatal: boolean };
