import type { InvokeOutcome } from '../worker/function-pool.ts';

/** The outcome of one invocation, for measurements and tests. */
export interface BatchReport {
  source: string;
  records: number;
  outcome: 'committed' | 'retrying' | 'sent-to-destination' | 'discarded';
  attempt: number;
  /** Time from the newest record's arrival at the bridge to the start of the invocation. */
  dispatchDelayMs: number;
  invokeMs: number;
}

export type BatchVerdict<R> =
  | { kind: 'success' }
  /** The records that succeeded (done) and those to retry, per ReportBatchItemFailures. */
  | { kind: 'partial'; succeeded: R[]; failed: R[] }
  | { kind: 'failure'; reason: string };

/**
 * The `batchItemFailures` list of a partial batch response, the part Kafka and Kinesis read
 * alike: without ReportBatchItemFailures, or with no or an empty list, the batch succeeded;
 * a list that is not one fails it. The items' identifiers differ by source.
 */
export function batchItemFailures(result: unknown, reportBatchItemFailures: boolean): { kind: 'success' } | { kind: 'failure'; reason: string } | { kind: 'listed'; failures: unknown[] } {
  if (!reportBatchItemFailures || result === null || typeof result !== 'object') return { kind: 'success' };
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'failure', reason: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'success' };
  return { kind: 'listed', failures };
}

export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/** The event source mapping settings that govern a failed batch, the same for Kafka and Kinesis. */
export interface RetryPolicy {
  id: string;
  maximumRetryAttempts: number;
  maximumRecordAgeInSeconds: number;
  bisectBatchOnFunctionError: boolean;
  onFailureDestination?: string;
}

export interface BatchHandlers<R> {
  /** Invokes the mapping's function (synchronously, as Lambda's pollers do). */
  invoke: (event: unknown) => Promise<InvokeOutcome>;
  policy: RetryPolicy;
  state: { stopping: boolean };
  retryBaseDelayMs: number;
  maxRetryDelayMs: number;
  onNotice: (text: string) => void;
  onBatch?: (report: BatchReport) => void;
  buildEvent: (records: R[]) => unknown;
  readResponse: (result: unknown, records: R[]) => BatchVerdict<R>;
  /** When the record entered the stream (ms), for MaximumRecordAgeInSeconds. */
  recordTime: (record: R) => number;
  /** When the bridge read the record (ms), for the dispatch delay. */
  arrivedAt: (record: R) => number;
  /** Records processed or handed to the destination: they may be committed. */
  finish: (records: R[]) => Promise<void>;
  /** Hands records to the on-failure destination (or drops them with a notice when there is none). */
  discard: (records: R[], attempts: number, condition: FailureCondition, functionError: string | undefined) => Promise<void>;
}

export const sleep = (ms: number, signal: { stopping: boolean }) => new Promise<void>((resolve) => {
  const started = Date.now();
  const tick = () => (signal.stopping || Date.now() - started >= ms ? resolve() : setTimeout(tick, Math.min(100, ms - (Date.now() - started))));
  tick();
});

/**
 * Invokes the function with a batch until every record is done, as Lambda's stream
 * pollers do: a failed batch is retried with backoff (the partition or shard waits),
 * split in two on a function error when BisectBatchOnFunctionError is set (splitting does
 * not use retries), retried from the first failed record of a partial batch response, and
 * handed to the on-failure destination once MaximumRetryAttempts or
 * MaximumRecordAgeInSeconds is exceeded. Returns early, leaving the rest uncommitted, when
 * the bridge stops.
 */
export async function processBatch<R>(batch: R[], handlers: BatchHandlers<R>): Promise<void> {
  const { policy, state, onNotice } = handlers;
  const queue: { records: R[]; attempts: number }[] = [{ records: batch, attempts: 0 }];

  while (queue.length > 0) {
    const item = queue[0]!;
    if (policy.maximumRecordAgeInSeconds >= 0) {
      const oldest = Date.now() - policy.maximumRecordAgeInSeconds * 1000;
      const expired = item.records.filter((record) => handlers.recordTime(record) < oldest);
      if (expired.length > 0) {
        await handlers.discard(expired, item.attempts, 'RecordAgeExceeded', undefined);
        await handlers.finish(expired);
        item.records = item.records.filter((record) => handlers.recordTime(record) >= oldest);
        if (item.records.length === 0) {
          queue.shift();
          continue;
        }
      }
    }
    const event = handlers.buildEvent(item.records);
    const started = performance.now();
    const dispatchDelayMs = Date.now() - Math.max(...item.records.map(handlers.arrivedAt));
    const outcome = await handlers.invoke(event);
    const invokeMs = performance.now() - started;
    const verdict: BatchVerdict<R> = outcome.ok ? handlers.readResponse(outcome.result, item.records) : { kind: 'failure', reason: `${outcome.error.errorType}: ${outcome.error.errorMessage}` };
    const report = (result: BatchReport['outcome']) => handlers.onBatch?.({ source: policy.id, records: item.records.length, outcome: result, attempt: item.attempts + 1, dispatchDelayMs, invokeMs });

    if (verdict.kind === 'success') {
      await handlers.finish(item.records);
      report('committed');
      queue.shift();
      continue;
    }
    let failed = item.records;
    if (verdict.kind === 'partial') {
      await handlers.finish(verdict.succeeded);
      failed = verdict.failed;
    }
    item.attempts += 1;
    const reason = verdict.kind === 'partial' ? `${failed.length} of ${item.records.length} records reported failed` : verdict.reason;
    if (state.stopping) {
      onNotice(`${policy.id}: batch of ${failed.length} failed while stopping; left uncommitted for the next start (${reason})`);
      return;
    }
    if (policy.bisectBatchOnFunctionError && verdict.kind === 'failure' && failed.length > 1) {
      // Splitting does not count against the retry quota.
      const half = Math.ceil(failed.length / 2);
      onNotice(`${policy.id}: batch of ${failed.length} failed (${reason}); splitting into ${half} + ${failed.length - half}`);
      queue.splice(0, 1, { records: failed.slice(0, half), attempts: item.attempts - 1 }, { records: failed.slice(half), attempts: item.attempts - 1 });
      report('retrying');
      continue;
    }
    if (policy.maximumRetryAttempts >= 0 && item.attempts > policy.maximumRetryAttempts) {
      await handlers.discard(failed, item.attempts, 'RetryAttemptsExhausted', outcome.ok ? undefined : 'Unhandled');
      await handlers.finish(failed);
      report(policy.onFailureDestination ? 'sent-to-destination' : 'discarded');
      queue.shift();
      continue;
    }
    const delay = Math.min(handlers.maxRetryDelayMs, handlers.retryBaseDelayMs * 2 ** (item.attempts - 1));
    onNotice(`${policy.id}: batch of ${failed.length} failed (attempt ${item.attempts}: ${reason}); records held, retrying in ${delay} ms`);
    report('retrying');
    item.records = failed;
    await sleep(delay, state);
    if (state.stopping) return;
  }
}
