import { randomUUID } from 'node:crypto';
import type { FunctionRegistry } from './function-registry.ts';

export interface AsyncInvokeOptions {
  /** Lambda's default for asynchronous invocation: two retries. */
  retries?: number;
  /** Lambda waits about a minute, then two; locally the base delay is short and doubles. */
  baseDelayMs?: number;
  onNotice: (text: string) => void;
  requestId?: string;
}

export interface AsyncInvokeResult {
  requestId: string;
  attempts: number;
  ok: boolean;
}

/**
 * An `Event` invocation: the caller does not wait for it; a function error is retried
 * with backoff, and a final failure is logged with the error (Lambda would send it to an
 * on-failure destination or DLQ; the template configures none for these sources).
 */
export async function invokeAsync(registry: FunctionRegistry, logicalId: string, event: unknown, options: AsyncInvokeOptions): Promise<AsyncInvokeResult> {
  const retries = options.retries ?? 2;
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const requestId = options.requestId ?? randomUUID();
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    const outcome = await registry.invoke(logicalId, event, { requestId });
    if (outcome.ok) return { requestId, attempts: attempt, ok: true };
    const failure = `${outcome.error.errorType}: ${outcome.error.errorMessage}`;
    if (attempt > retries) {
      options.onNotice(`${logicalId}: asynchronous invocation ${requestId} failed after ${attempt} attempts, event dropped: ${failure}`);
      return { requestId, attempts: attempt, ok: false };
    }
    const delay = baseDelayMs * 2 ** (attempt - 1);
    options.onNotice(`${logicalId}: asynchronous invocation ${requestId} failed (attempt ${attempt}), retrying in ${delay} ms: ${failure}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  return { requestId, attempts: retries + 1, ok: false };
}
