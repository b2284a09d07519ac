import { sleep } from './timing.ts';

/** Delivery of records to a consumer under test (a bridge's function, a plain consumer). */
export interface Delivery {
  /** Resolves when `count` more records have been delivered; returns the time of the last one. */
  expect(count: number): Promise<number>;
}

export function deliveryCounter(): Delivery & { delivered(records: number): void } {
  let pending: { remaining: number; resolve: (at: number) => void } | undefined;
  return {
    expect(count) {
      return new Promise((resolve) => (pending = { remaining: count, resolve }));
    },
    delivered(records) {
      if (!pending) return;
      pending.remaining -= records;
      if (pending.remaining <= 0) {
        const { resolve } = pending;
        pending = undefined;
        resolve(performance.now());
      }
    },
  };
}

/**
 * Sends one batch of `batchSize` records at a time and times it from the send's answer (the
 * records are durable and readable) to delivery of its last record; a pause between batches.
 */
export async function timeDeliveries(send: () => Promise<unknown>, options: { batches: number; batchSize: number; delivery: Delivery; timeoutMs: number }): Promise<number[]> {
  const latencies: number[] = [];
  for (let index = 0; index < options.batches; index++) {
    const delivered = options.delivery.expect(options.batchSize);
    await send();
    const acknowledged = performance.now();
    const at = await Promise.race([delivered, sleep(options.timeoutMs).then(() => Number.NaN)]);
    if (Number.isNaN(at)) throw new Error(`batch ${index + 1} was not delivered within ${options.timeoutMs / 1000} s`);
    latencies.push(at - acknowledged);
    await sleep(50);
  }
  return latencies;
}
