import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadEvent } from '../../fixtures/events.ts';
import { lambdaContext } from '../../fixtures/lambda-context.ts';

const send = vi.fn();
vi.mock('#lib/kafka.ts', async (importOriginal) => ({ ...(await importOriginal<object>()), createRecordProducer: () => ({ send }) }));
const { handler } = await import('../../../functions/ingest/handler.ts');

const invoke = async (name: string) => (await handler(loadEvent(name), lambdaContext('IngestFunction'))) as APIGatewayProxyStructuredResultV2;

// Log lines at INFO and metrics on in this file (the unit tests' defaults are SILENT and, with
// POWERTOOLS_DEV, no metrics), read before the logger and metrics are made.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});

/** With POWERTOOLS_DEV, Powertools prints log lines and metrics on the global console: kept here, not shown. */
let printed: string[] = [];
const printedJson = (): Record<string, any>[] =>
  printed.filter((text) => text.trim().startsWith('{')).map((text) => JSON.parse(text));

describe('ingest handler', () => {
  beforeEach(() => {
    send.mockReset();
    printed = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' ')));
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('answers 202 once the producer has the batch', async () => {
    send.mockResolvedValue({ offsets: [] });
    const response = await invoke('ingest-valid');
    expect(response.statusCode).toBe(202);
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0]![0].messages).toHaveLength(2);
  });

  it('maps a request error to its status and machine-readable code', async () => {
    const response = await invoke('ingest-malformed');
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body!).error).toMatchObject({ code: 'INVALID_JSON', requestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678' });
    expect(send).not.toHaveBeenCalled();
  });

  it('answers 503 PUBLISH_FAILED without internals when Kafka fails', async () => {
    send.mockImplementation(async () => {
      throw new Error('NOT_ENOUGH_REPLICAS on broker 127.0.0.1:9092');
    });
    const response = await invoke('ingest-valid');
    expect(response.statusCode).toBe(503);
    expect(response.body).not.toContain('127.0.0.1');
    expect(JSON.parse(response.body!).error.code).toBe('PUBLISH_FAILED');
  });

  it("puts API Gateway's request id on every log line of a request, and the batch id once known", async () => {
    send.mockResolvedValue({ offsets: [] });
    const requestId = loadEvent<APIGatewayProxyEventV2>('ingest-valid').requestContext.requestId;
    await invoke('ingest-valid');
    const logs = printedJson().filter((line) => 'level' in line);
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) expect(line.correlation_id).toBe(requestId);
    const published = logs.find((line) => line.message === 'batch published')!;
    expect(published.batchId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('counts a refused request as RequestsRejected and a failed one as RequestsFailed, so no invocation flushes empty metrics', async () => {
    await invoke('ingest-malformed');
    const rejected = printedJson();
    printed = [];
    send.mockRejectedValue(new Error('broker down'));
    await invoke('ingest-valid');
    const failed = printedJson();
    expect(rejected.find((line) => '_aws' in line)).toMatchObject({ RequestsRejected: 1 });
    expect(failed.find((line) => '_aws' in line)).toMatchObject({ RequestsFailed: 1 });
    expect(JSON.stringify([...rejected, ...failed])).not.toContain('No application metrics');
  });
});
