import { randomUUID } from 'node:crypto';
import { sourceNames } from '#contracts/registry.ts';
import type { AcceptedRecord } from '../../tools/pipeline/send-records.ts';
import { generateSample } from '../../tools/sample-data/generate-sample.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface SteadyLoadOptions {
  apiUrl: string;
  token: string;
  /** Keys unique to the run, so earlier runs against the same lake cannot change the counts. */
  keyPrefix: string;
  recordsPerRequest?: number;
  /** Pause between two requests of the loop. */
  intervalMs?: number;
}

/**
 * A producer posting small batches of every source through the ingest API, one request at
 * a time, until stopped. A refused batch (503, or no answer while the API is down) is sent
 * again with the same Idempotency-Key, as a real producer would: records Kafka already
 * took keep their event ids. Only the event ids of a 202 count as acknowledged.
 */
export class SteadyLoad {
  readonly accepted: AcceptedRecord[] = [];
  /** Refused attempts by status (0: no answer), for the log. */
  readonly refusals = new Map<number, number>();
  /**
   * Answers that mean "not now", retried with the same Idempotency-Key: 503 and no answer. A
   * fault that ends function instances adds 500, the HTTP API's answer when the function died.
   */
  readonly retried = new Set([0, 503]);
  private stopping = false;
  private loop: Promise<void> | undefined;
  private failure: Error | undefined;
  private readonly samples: Map<string, Record<string, unknown>[]>;

  constructor(private readonly options: SteadyLoadOptions) {
    // A mixed sample (updates, late versions, deletes, duplicates, invalid records) per source, sent in order.
    this.samples = new Map(sourceNames().map((source, index) => [source, generateSample({ source, count: 20_000, seed: 70 + index, keyPrefix: options.keyPrefix }).map((entry) => entry.record)]));
  }

  start(): void {
    this.loop = this.run().catch((error: Error) => {
      this.failure = error;
    });
  }

  /** Stops after the batch in flight is acknowledged. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    if (this.failure) throw this.failure;
  }

  /** When the first 202 arrived after `since` (epoch ms); waits for it. */
  async firstAcceptedAfter(since: number, timeoutMs = 300_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.failure) throw this.failure;
      const first = this.accepted.find((record) => record.acceptedAt > since);
      if (first) return first.acceptedAt;
      if (Date.now() > deadline) throw new Error(`no 202 within ${timeoutMs / 1000} s of ${new Date(since).toISOString()}`);
      await sleep(200);
    }
  }

  acceptedBetween(from: number, to: number): AcceptedRecord[] {
    return this.accepted.filter((record) => record.acceptedAt >= from && record.acceptedAt <= to);
  }

  private async run(): Promise<void> {
    const size = this.options.recordsPerRequest ?? 5;
    const sources = sourceNames();
    for (let round = 0; !this.stopping; round += 1) {
      const source = sources[round % sources.length]!;
      const offset = Math.floor(round / sources.length) * size;
      const records = this.samples.get(source)!.slice(offset, offset + size);
      if (records.length === 0) throw new Error(`the ${source} sample ran out after ${offset} records`);
      await this.deliver(source, records);
      await sleep(this.options.intervalMs ?? 1000);
    }
  }

  /** Sends one batch until it gets a 202. */
  private async deliver(source: string, records: unknown[]): Promise<void> {
    const idempotencyKey = randomUUID();
    const url = `${this.options.apiUrl}/v1/sources/${source}/records`;
    for (let attempt = 0; ; attempt += 1) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify(records),
        signal: AbortSignal.timeout(30_000),
      }).catch(() => undefined);
      const status = response?.status ?? 0;
      if (status === 202) {
        const body = (await response!.json()) as { eventIds: string[] };
        const acceptedAt = Date.now();
        this.accepted.push(...body.eventIds.map((eventId) => ({ eventId, source, acceptedAt })));
        return;
      }
      await response?.body?.cancel();
      // Only "not now" is retried; any other refusal is a defect of this producer or of the API.
      if (!this.retried.has(status)) throw new Error(`ingest answered ${status} to a well-formed ${source} batch`);
      this.refusals.set(status, (this.refusals.get(status) ?? 0) + 1);
      await sleep(Math.min(2000, 250 * 2 ** Math.min(attempt, 3)));
    }
  }
}
