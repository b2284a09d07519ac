/** One record's receipt: the event id the API gave it and when the 202 arrived. */
export interface AcceptedRecord {
  eventId: string;
  source: string;
  acceptedAt: number;
}

export interface SendResult {
  /** In the order the records were given. */
  accepted: AcceptedRecord[];
  requests: number;
  /** Requests that did not get a 202, with the status and error code: nothing of them was accepted. */
  refused: { status: number; code: string; records: number }[];
  /** Per-request latency in milliseconds. */
  latencies: number[];
}

export interface SendOptions {
  apiUrl: string;
  token: string;
  source: string;
  records: unknown[];
  batchSize?: number;
  concurrency?: number;
  onProgress?: (sent: number) => void;
}

/**
 * Sends records through the public ingest API exactly as a producer would: batches of
 * JSON over authenticated HTTP, a few requests in flight. A refused batch is reported,
 * not retried: the caller decides.
 */
export async function sendRecords(options: SendOptions): Promise<SendResult> {
  const batchSize = options.batchSize ?? 200;
  const batches: unknown[][] = [];
  for (let i = 0; i < options.records.length; i += batchSize) batches.push(options.records.slice(i, i + batchSize));
  const result: SendResult = { accepted: [], requests: 0, refused: [], latencies: [] };
  const acceptedByBatch: AcceptedRecord[][] = [];
  const url = `${options.apiUrl.replace(/\/$/, '')}/v1/sources/${options.source}/records`;
  let next = 0;
  let sent = 0;

  const worker = async () => {
    while (next < batches.length) {
      const index = next++;
      const batch = batches[index]!;
      const started = performance.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(batch),
      });
      const body = (await response.json().catch(() => ({}))) as { eventIds?: string[]; error?: { code?: string } };
      result.latencies.push(performance.now() - started);
      result.requests += 1;
      if (response.status === 202 && body.eventIds) {
        const acceptedAt = Date.now();
        acceptedByBatch[index] = body.eventIds.map((eventId) => ({ eventId, source: options.source, acceptedAt }));
      } else {
        result.refused.push({ status: response.status, code: body.error?.code ?? 'UNKNOWN', records: batch.length });
      }
      sent += batch.length;
      options.onProgress?.(sent);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, batches.length) }, worker));
  result.accepted = acceptedByBatch.flat();
  return result;
}
