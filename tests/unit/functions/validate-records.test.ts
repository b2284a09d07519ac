import { describe, expect, it } from 'vitest';
import { findContract } from '#contracts/registry.ts';
import { protectCardNumber } from '#contracts/rules/card.ts';
import type { LandingLine, QuarantineLine } from '#contracts/lake-lines.ts';
import { type KafkaEvent, kafkaEventSchema } from '../../../functions/validate/kafka-event.ts';
import { validateBatch } from '../../../functions/validate/validate-batch.ts';
import { loadEvent } from '../../fixtures/events.ts';

const key = 'unit-test-card-token-key-0123456789';
const settings = { topicPrefix: 'ingest.', cardTokenKey: key, findContract };
const transaction = {
  transactionId: 'TX-1', accountId: 'ACC-1', type: 'debit', status: 'posted', amount: '10.50', currency: 'EUR',
  occurredAt: '2026-03-01T12:00:00Z', updatedAt: '2026-03-01T12:00:00Z',
};

/** A batch of the given values as another producer would write them to the topic (no ingest on the way). */
function batchOf(values: (unknown | Buffer)[], headers: Record<string, string> = {}): KafkaEvent {
  const template = kafkaEventSchema.parse(loadEvent('validate-msk')).records['ingest.transactions-0']![0]!;
  const encodedHeaders = Object.entries(headers).map(([name, value]) => ({ [name]: [...Buffer.from(value)] }));
  const records = values.map((value, index) => ({
    ...template,
    offset: 500 + index,
    headers: [...template.headers, ...encodedHeaders],
    value: (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64'),
  }));
  return { eventSource: 'aws:kafka', records: { 'ingest.transactions-0': records } };
}

const lines = (event: KafkaEvent) => {
  const batch = validateBatch(event, settings);
  const landing = batch.objects.filter((o) => o.key.startsWith('landing/')).flatMap((o) => o.lines) as LandingLine[];
  const quarantine = batch.objects.filter((o) => o.key.startsWith('quarantine/')).flatMap((o) => o.lines) as QuarantineLine[];
  return { landing, quarantine, batch, stored: JSON.stringify(batch.objects) };
};

describe('validate: records that reached the topic without ingest are checked as ingest checks them', () => {
  it('lands a card protected by the platform and quarantines a forged protected object', () => {
    const sealed = protectCardNumber('4111111111111111', key);
    const forged = { masked: '411111******1111', token: 'tok_chosen-by-producer', luhnValid: true, seal: 'x' };
    const { landing, quarantine } = lines(batchOf([{ ...transaction, cardNumber: sealed }, { ...transaction, transactionId: 'TX-2', cardNumber: forged }]));
    expect(landing.map((l) => l.record.cardToken)).toEqual([sealed!.token]);
    expect(quarantine[0]!.reasons).toEqual([{ path: 'cardNumber', message: expect.stringContaining('protected forms are computed by the platform') }]);
  });

  it('quarantines a card secret without keeping its value in any form', () => {
    const { quarantine, stored } = lines(batchOf([{ ...transaction, cvv: '737', nested: [{ PIN: '4321' }] }]));
    expect(quarantine[0]!.reasons.map((r) => r.path)).toEqual(['cvv', 'nested.0.PIN']);
    expect(stored).not.toMatch(/737|4321/);
  });

  it('quarantines a card number outside a card field, masked, in values, names, arrays and JSON numbers', () => {
    const { quarantine, stored } = lines(batchOf([
      { ...transaction, memo: 'paid with 5555 5555 5555 4444' },
      { ...transaction, items: [{ ref: 6011111111111117 }] },
      { ...transaction, '4111111111111111': 'x' },
    ]));
    expect(quarantine.map((q) => q.reasons[0]!.path)).toEqual(['memo', 'items.0.ref', '411111******1111']);
    expect(quarantine[0]!.reasons[0]!.message).toBe('holds a clear card number (Mastercard) outside a card field; masked');
    expect(stored).not.toMatch(/5555 5555 5555 4444|6011111111111117|4111111111111111/);
  });

  it('quarantines what ingest found and masked (the card-numbers header)', () => {
    const header = JSON.stringify([{ path: 'memo', brand: 'Visa', tokenised: false }]);
    const { quarantine } = lines(batchOf([{ ...transaction, memo: 'card 411111******1111' }], { 'card-numbers': header }));
    expect(quarantine[0]!.reasons).toEqual([{ path: 'memo', message: 'holds a clear card number (Visa) outside a card field; masked' }]);
  });

  it('tokenises a card-like number in a long-number field and lands the record, flagged', () => {
    const { landing, batch } = lines(batchOf([{ ...transaction, accountId: '4111111111111111' }]));
    expect(landing[0]!.record.accountId).toBe(protectCardNumber('4111111111111111', key)!.token);
    expect(batch.tokenised).toEqual([{ eventId: landing[0]!.eventId, paths: ['accountId'] }]);
  });

  it('quarantines values that are not UTF-8, not JSON or not an object, each masked, and lands the rest of the batch', () => {
    const notUtf8 = Buffer.concat([Buffer.from('{"pan":"4111111111111111","x":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const { landing, quarantine, stored } = lines(batchOf([
      notUtf8,
      Buffer.from('pan=4111-1111-1111-1111 not json'),
      ['4111 1111 1111 1111'],
      transaction,
    ]));
    expect(quarantine.map((q) => q.reasons[0]!.message)).toEqual(['value is not valid UTF-8', 'value is not valid JSON', 'record must be a JSON object']);
    expect(landing).toHaveLength(1);
    expect(stored).not.toMatch(/4111111111111111|4111-1111-1111-1111|4111 1111 1111 1111/);
  });

  it('reads a value that starts with a UTF-8 byte order mark as the JSON after it, and quarantines an overlong encoding', () => {
    const withMark = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(transaction))]);
    // "/" written in two bytes: a decoder that accepted it would let a producer smuggle characters past checks.
    const overlong = Buffer.concat([Buffer.from('{"transactionId":"TX'), Buffer.from([0xc0, 0xaf]), Buffer.from('1"}')]);
    const { landing, quarantine } = lines(batchOf([withMark, overlong]));
    expect(landing.map((line) => line.key)).toEqual(['TX-1']);
    expect(quarantine.map((q) => q.reasons[0]!.message)).toEqual(['value is not valid UTF-8']);
  });

  it('quarantines a record nested too deep without walking the whole depth', () => {
    const deep = `${'['.repeat(5000)}"4111111111111111"${']'.repeat(5000)}`;
    const { quarantine, stored } = lines(batchOf([Buffer.from(`${JSON.stringify(transaction).slice(0, -1)},"deep":${deep}}`)]));
    expect(quarantine[0]!.reasons).toContainEqual({ path: '', message: 'record is nested deeper than 16 levels' });
    expect(stored).not.toContain('4111111111111111');
  });

  it('masks card numbers in lineage headers a producer set', () => {
    const { landing } = lines(batchOf([transaction], { 'batch-id': '4111111111111111' }));
    expect(landing[0]!.batchId).toBe('411111******1111');
  });
});
