import { describe, expect, it } from 'vitest';
import { type BatchHandlers, type BatchVerdict, processBatch } from '../../bridges/batch-processor.ts';
import type { InvokeOutcome } from '../../worker/function-pool.ts';

interface Item {
  id: string;
  time: number;
}

const items = (...ids: string[]): Item[] => ids.map((id) => ({ id, time: Date.now() }));
const ok = (result: unknown = null): InvokeOutcome => ({ ok: true, requestId: 'r', result, durationMs: 1, logTail: '' });
const failed: InvokeOutcome = { ok: false, requestId: 'r', error: { errorType: 'Error', errorMessage: 'boom', trace: [] }, durationMs: 1, logTail: '' };

/** Runs a batch against a fake function; returns what each invocation saw, what finished and what was discarded. */
async function run(batch: Item[], fn: (ids: string[]) => InvokeOutcome, policy: Partial<BatchHandlers<Item>['policy']> = {}, readResponse?: BatchHandlers<Item>['readResponse']) {
  const seen: string[][] = [];
  const finished: string[] = [];
  const discarded: { ids: string[]; attempts: number; condition: string }[] = [];
  await processBatch<Item>(batch, {
    invoke: async (event) => {
      const ids = (event as Item[]).map((item) => item.id);
      seen.push(ids);
      return fn(ids);
    },
    policy: { id: 'Mapping', maximumRetryAttempts: -1, maximumRecordAgeInSeconds: -1, bisectBatchOnFunctionError: false, onFailureDestination: 'arn:aws:s3:::b', ...policy },
    state: { stopping: false },
    retryBaseDelayMs: 1,
    maxRetryDelayMs: 4,
    onNotice: () => undefined,
    buildEvent: (records) => records,
    readResponse: readResponse ?? (() => ({ kind: 'success' })),
    recordTime: (record) => record.time,
    arrivedAt: (record) => record.time,
    finish: async (records) => {
      finished.push(...records.map((record) => record.id));
    },
    discard: async (records, attempts, condition) => {
      discarded.push({ ids: records.map((record) => record.id), attempts, condition });
    },
  });
  return { seen, finished, discarded };
}

describe('stream batch processing', () => {
  it('retries a failing batch MaximumRetryAttempts times, then hands it to the destination and finishes it', async () => {
    const { seen, finished, discarded } = await run(items('a', 'b'), () => failed, { maximumRetryAttempts: 2 });
    expect(seen).toEqual([['a', 'b'], ['a', 'b'], ['a', 'b']]);
    expect(discarded).toEqual([{ ids: ['a', 'b'], attempts: 3, condition: 'RetryAttemptsExhausted' }]);
    expect(finished).toEqual(['a', 'b']);
  });

  it('bisects on a function error without using retries, isolating the poison record', async () => {
    const { seen, finished, discarded } = await run(items('r0', 'r1', 'poison', 'r3'), (ids) => (ids.includes('poison') ? failed : ok()), { bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 });
    expect(seen).toEqual([['r0', 'r1', 'poison', 'r3'], ['r0', 'r1'], ['poison', 'r3'], ['poison'], ['r3']]);
    expect(discarded).toEqual([{ ids: ['poison'], attempts: 1, condition: 'RetryAttemptsExhausted' }]);
    expect(finished).toEqual(['r0', 'r1', 'poison', 'r3']);
  });

  it('finishes the records a partial response counts as done and retries only the failed ones', async () => {
    let calls = 0;
    const readResponse = (_result: unknown, records: Item[]): BatchVerdict<Item> => (calls++ === 0 ? { kind: 'partial', succeeded: records.slice(0, 2), failed: records.slice(2) } : { kind: 'success' });
    const { seen, finished, discarded } = await run(items('p0', 'p1', 'p2', 'p3'), () => ok({}), {}, readResponse);
    expect(seen).toEqual([['p0', 'p1', 'p2', 'p3'], ['p2', 'p3']]);
    expect(finished).toEqual(['p0', 'p1', 'p2', 'p3']);
    expect(discarded).toEqual([]);
  });

  it('hands records older than MaximumRecordAgeInSeconds to the destination without invoking the function with them', async () => {
    const batch = [{ id: 'old', time: Date.now() - 120_000 }, { id: 'new', time: Date.now() }];
    const { seen, finished, discarded } = await run(batch, () => ok(), { maximumRecordAgeInSeconds: 60 });
    expect(discarded).toEqual([{ ids: ['old'], attempts: 0, condition: 'RecordAgeExceeded' }]);
    expect(seen).toEqual([['new']]);
    expect(finished).toEqual(['old', 'new']);
  });
});
