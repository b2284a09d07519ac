import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { RequestError } from '#lib/errors.ts';
import type { OutgoingMessage } from '#lib/record-messages.ts';
import { ingestRequest } from '../../../functions/ingest/ingest-request.ts';
import { loadEvent } from '../../fixtures/events.ts';
import { testDependencies } from '../../fixtures/test-dependencies.ts';

const settings = { topicPrefix: 'ingest.', cardTokenKey: 'unit-test-card-token-key-0123456789', maxBodyBytes: 4 * 1024 * 1024, maxRecordsPerRequest: 100, maxMessageBytes: 128 * 1024 };

const transaction = {
  transactionId: 'TX-1', accountId: 'ACC-1', type: 'debit', status: 'posted', amount: '10.50', currency: 'EUR',
  cardNumber: '4111111111111111', occurredAt: '2026-03-01T12:00:00Z', updatedAt: '2026-03-01T12:00:00Z',
};

async function send(records: unknown[] | string, base64 = false) {
  const published: OutgoingMessage[] = [];
  const deps = { ...testDependencies(settings), publish: async (messages: OutgoingMessage[]) => void published.push(...messages), now: () => new Date('2026-03-01T12:00:06Z') };
  const event = loadEvent<APIGatewayProxyEventV2>('ingest-valid');
  const body = typeof records === 'string' ? records : JSON.stringify(records);
  const outcome = await ingestRequest({ ...event, body, isBase64Encoded: base64 }, deps).then((response) => response, (error: unknown) => error);
  return { outcome, published };
}

async function refusal(records: unknown[]) {
  const { outcome, published } = await send(records);
  expect(outcome).toBeInstanceOf(RequestError);
  expect(published).toEqual([]);
  const error = outcome as RequestError;
  expect([error.statusCode, error.code]).toEqual([422, 'INVALID_RECORDS']);
  return (error.details as { records: { index: number; reason: string }[] }).records;
}

describe('ingest: each record is checked on its own, and only refuses itself', () => {
  it('refuses a card verification value or PIN at any depth, naming the record and the field', async () => {
    const refused = await refusal([transaction, { ...transaction, cvv: '123' }, { ...transaction, extra: { card: { PinBlock: 'x' } } }]);
    expect(refused).toEqual([
      { index: 1, reason: 'cvv is a card verification value or PIN, which is never stored in any form' },
      { index: 2, reason: 'extra.card.PinBlock is a card verification value or PIN, which is never stored in any form' },
    ]);
  });

  it('refuses a card field that is not a clear string, such as a protected-looking object', async () => {
    const forged = { masked: '4111 1111 1111 1111', token: 'tok_x', luhnValid: true };
    const refused = await refusal([{ ...transaction, cardNumber: forged }, { ...transaction, cardNumber: 4111111111111111 }]);
    expect(refused.map((r) => r.index)).toEqual([0, 1]);
    expect(refused[0]!.reason).toContain('cardNumber must be the card number as a string');
    expect(JSON.stringify(refused)).not.toContain('4111 1111 1111 1111');
  });

  it('refuses a record nested too deep, with too many fields, or too large for one Kafka message', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 20; i++) deep = { deeper: deep };
    const wide = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`f${i}`, i]));
    const large = { ...transaction, note: 'x'.repeat(128 * 1024) };
    const refused = await refusal([transaction, { ...transaction, deep }, { ...transaction, ...wide }, large]);
    expect(refused.map((r) => r.index)).toEqual([1, 2, 3]);
    expect(refused[0]!.reason).toBe('record is nested deeper than 16 levels');
    expect(refused[1]!.reason).toMatch(/^record has 10\d\d fields and array elements; at most 1000 are accepted$/);
    expect(refused[2]!.reason).toMatch(/^record is \d+ bytes once protected; at most 114688 are accepted$/);
  });

  it('publishes a card number found outside card fields masked, with a header that sends the record to quarantine', async () => {
    const { outcome, published } = await send([{ ...transaction, note: 'card 4111-1111-1111-1111', '5555555555554444': 'as a name' }]);
    expect(outcome).toMatchObject({ statusCode: 202 });
    expect(published[0]!.value).not.toMatch(/4111111111111111|4111-1111-1111-1111|5555555555554444/);
    expect(JSON.parse(published[0]!.value)).toMatchObject({ note: 'card 411111******1111', '555555******4444': 'as a name' });
    expect(JSON.parse(published[0]!.headers['card-numbers']!)).toEqual([
      { path: 'note', brand: 'Visa', tokenised: false },
      { path: '555555******4444', brand: 'Mastercard', tokenised: false },
    ]);
  });

  it('publishes protection computed by the platform, sealed with its key', async () => {
    const { published } = await send([transaction]);
    expect(JSON.parse(published[0]!.value).cardNumber).toMatchObject({ masked: '411111******1111', luhnValid: true, seal: expect.any(String) });
  });

  it('answers 400 INVALID_ENCODING for a body that is not UTF-8, rather than replacing bytes', async () => {
    const bytes = Buffer.concat([Buffer.from('[{"transactionId":"T-'), Buffer.from([0xff, 0xfe]), Buffer.from('"}]')]);
    const { outcome, published } = await send(bytes.toString('base64'), true);
    expect(outcome).toMatchObject({ statusCode: 400, code: 'INVALID_ENCODING' });
    expect(published).toEqual([]);
  });
});
