import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../fixtures/lambda-context.ts';
import { loadEvent } from '../../fixtures/events.ts';

const send = vi.fn();
vi.mock('#lib/kafka.ts', async (importOriginal) => ({ ...(await importOriginal<object>()), createRecordProducer: () => ({ send }) }));
const { handler } = await import('../../../functions/ingest/handler.ts');

const invoke = async (name: string) => (await handler(loadEvent(name), lambdaContext('IngestFunction'))) as APIGatewayProxyStructuredResultV2;

describe('ingest handler', () => {
  beforeEach(() => {
    send.mockReset();
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
});
