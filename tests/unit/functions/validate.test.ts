import { describe, expect, it } from 'vitest';
import type { LandingLine, QuarantineLine } from '#contracts/lake-lines.ts';
import { findContract } from '#contracts/registry.ts';
import { decodeHeaders, kafkaEventSchema } from '../../../functions/validate/kafka-event.ts';
import { validateBatch } from '../../../functions/validate/validate-batch.ts';
import { loadEvent } from '../../fixtures/events.ts';

const settings = { topicPrefix: 'ingest.', cardTokenKey: 'unit-test-card-token-key-0123456789', findContract };
const validate = (name: string) => validateBatch(kafkaEventSchema.parse(loadEvent(name)), settings);

describe('validate batch', () => {
  it('writes valid records to one landing object and invalid ones to one quarantine object per partition', () => {
    const batch = validate('validate-msk');
    expect([batch.valid, batch.invalid]).toEqual([2, 2]);
    expect(batch.objects.map((o) => o.key)).toEqual([
      'landing/transactions/ingest.transactions/partition=0/00000000000000000100-00000000000000000103.ndjson',
      'quarantine/transactions/ingest.transactions/partition=0/00000000000000000100-00000000000000000103.ndjson',
    ]);
  });

  it('keeps lineage from the Kafka headers and normalises the record', () => {
    const [landing] = validate('validate-msk').objects;
    const line = landing!.lines[0] as LandingLine;
    expect(line).toMatchObject({
      eventId: '0b5c3f6e-8d1a-8f00-9a00-000000000001',
      batchId: '5f0c2a9e-1d3b-4c6a-9e8f-2b7d4a1c0e11',
      topic: 'ingest.transactions', partition: 0, offset: 100,
      op: 'upsert', key: 'TX-1001', eventTime: '2026-03-01T11:00:05.000Z',
    });
    expect(line.record).toMatchObject({ amount: '125.40', cardMasked: '411111******1111' });
  });

  it('quarantines with specific reasons: Luhn failure, unknown currency, money as a number', () => {
    const quarantine = validate('validate-msk').objects[1]!.lines as QuarantineLine[];
    expect(quarantine[0]!.reasons).toEqual([{ path: 'cardNumber', message: 'card number fails the Luhn check' }]);
    expect(quarantine[1]!.reasons).toEqual(
      expect.arrayContaining([
        { path: 'currency', message: 'must be an active ISO 4217 currency code' },
        { path: 'amount', message: 'must be a decimal string such as "125.40", not a number' },
      ]),
    );
  });

  it('handles self-managed Kafka events across partitions, deletes included', () => {
    const batch = validate('validate-self-managed');
    expect(batch.objects.map((o) => o.key)).toEqual([
      'landing/claims/ingest.claims/partition=1/00000000000000000007-00000000000000000009.ndjson',
      'quarantine/claims/ingest.claims/partition=1/00000000000000000007-00000000000000000009.ndjson',
      'landing/claims/ingest.claims/partition=2/00000000000000000003-00000000000000000003.ndjson',
    ]);
    const deleted = (batch.objects[0]!.lines as LandingLine[]).find((line) => line.op === 'delete');
    expect(deleted).toMatchObject({ key: 'CLM-8', eventTime: '2026-02-28T09:00:00.000Z', record: { claimId: 'CLM-8' } });
    expect((batch.objects[1]!.lines[0] as QuarantineLine).reasons).toEqual([{ path: 'reportedAt', message: 'claim reported before its loss date' }]);
  });

  it('gives the same object keys when the same batch is delivered again', () => {
    expect(validate('validate-msk').objects.map((o) => o.key)).toEqual(validate('validate-msk').objects.map((o) => o.key));
  });

  it('quarantines a value that is not JSON and masks card numbers inside it', () => {
    const event = kafkaEventSchema.parse(loadEvent('validate-msk'));
    const record = event.records['ingest.transactions-0']![0]!;
    record.value = Buffer.from('pan=4111111111111111 not json').toString('base64');
    const batch = validateBatch({ ...event, records: { 'ingest.transactions-0': [record] } }, settings);
    const line = batch.objects[0]!.lines[0] as QuarantineLine;
    expect(line.reasons).toEqual([{ path: '', message: 'value is not valid JSON' }]);
    expect(line.payload).toBe('pan=411111******1111 not json');
  });

  it('protects a clear card number that reached the topic without going through ingest', () => {
    const event = kafkaEventSchema.parse(loadEvent('validate-msk'));
    const record = event.records['ingest.transactions-0']![1]!;
    const value = JSON.parse(Buffer.from(record.value!, 'base64').toString());
    record.value = Buffer.from(JSON.stringify({ ...value, cardNumber: '4111111111111111' })).toString('base64');
    const batch = validateBatch({ ...event, records: { 'ingest.transactions-0': [record] } }, settings);
    expect(JSON.stringify(batch.objects)).not.toContain('4111111111111111');
    expect((batch.objects[0]!.lines[0] as LandingLine).record.cardMasked).toBe('411111******1111');
  });

  it('stores a record whose header holds a megabyte, failing neither it nor its neighbours', () => {
    const event = kafkaEventSchema.parse(loadEvent('validate-msk'));
    const [first, second] = event.records['ingest.transactions-0']!;
    first!.headers = [...first!.headers, { memo: [...Buffer.from('x'.repeat(1024 * 1024))] }];
    const batch = validateBatch({ ...event, records: { 'ingest.transactions-0': [first!, second!] } }, settings);
    expect(batch.valid + batch.invalid).toBe(2);
    expect(batch.objects.flatMap((o) => o.lines.map((line) => line.offset))).toEqual(expect.arrayContaining([first!.offset, second!.offset]));
  });

  it('quarantines records of a topic without a contract', () => {
    const event = kafkaEventSchema.parse(loadEvent('validate-msk'));
    const record = { ...event.records['ingest.transactions-0']![0]!, topic: 'ingest.payments' };
    const batch = validateBatch({ ...event, records: { 'ingest.payments-0': [record] } }, settings);
    expect((batch.objects[0]!.lines[0] as QuarantineLine).reasons[0]!.message).toBe('no data contract for source "payments"');
  });

  it('rejects an event that is not a Kafka event', () => {
    expect(kafkaEventSchema.safeParse(loadEvent('merge-trigger-landing')).success).toBe(false);
  });

  it.each([
    ['a text', 'abc'],
    ['a list with a text', [104, 'i']],
    ['a list with a fraction', [104, 1.5]],
    ['an object', { 0: 104 }],
  ])('rejects an event whose header value is %s, naming the header', (_, value) => {
    const event = kafkaEventSchema.parse(loadEvent('validate-msk'));
    const record = event.records['ingest.transactions-0']![0]!;
    const bad = { ...event, records: { 'ingest.transactions-0': [{ ...record, headers: [...record.headers, { 'x-odd': value }] }] } };
    const result = kafkaEventSchema.safeParse(bad);
    expect(result.success).toBe(false);
    expect(result.error!.issues).toContainEqual(
      expect.objectContaining({ path: ['records', 'ingest.transactions-0', 0, 'headers', record.headers.length, 'x-odd'], message: 'must be an array of bytes (integers)' }),
    );
  });

  it('reads signed header bytes, as Lambda sends Java bytes', () => {
    const event = kafkaEventSchema.parse(loadEvent('validate-msk'));
    const record = event.records['ingest.transactions-0']![0]!;
    // "é" in UTF-8 is 0xc3 0xa9: -61 and -87 as Java bytes.
    expect(decodeHeaders([...record.headers, { 'x-name': [-61, -87] }])['x-name']).toBe('é');
  });
});
