import { describe, expect, it } from 'vitest';
import type { QuarantineLine } from '#contracts/lake-lines.ts';
import { findContract } from '#contracts/registry.ts';
import { functionNameOf, matchesDeadLetter, parseDeadLetter } from '../../../tools/replay/dead-letters.ts';
import { matchesSelection, mergePatch, parseQuarantineObject, type QuarantinedRecord, replayDecision, replayLedgerKey } from '../../../tools/replay/quarantine-lines.ts';

const transactions = findContract('transactions')!;

const line = (overrides: Partial<QuarantineLine> = {}): QuarantineLine => ({
  eventId: 'evt-1',
  batchId: 'batch-1',
  receivedAt: '2026-03-01T10:00:00.000Z',
  traceparent: null,
  source: 'transactions',
  topic: 'ingest.transactions',
  partition: 0,
  offset: 7,
  kafkaTimestamp: 1,
  reasons: [{ path: 'currency', message: 'Required' }],
  payload: { transactionId: 'tx-1', amount: '10.00', updatedAt: '2026-03-01T09:00:00Z' },
  ...overrides,
});
const quarantined = (overrides: Partial<QuarantineLine> = {}): QuarantinedRecord => ({ objectKey: 'quarantine/transactions/a.ndjson', lineNumber: 1, line: line(overrides) });

describe('replay: selecting quarantined records', () => {
  it('selects by source, reason substring (path or message, any case) and receive time', () => {
    expect(matchesSelection(line(), { source: 'transactions', reason: 'curren' })).toBe(true);
    expect(matchesSelection(line(), { source: 'transactions', reason: 'REQUIRED' })).toBe(true);
    expect(matchesSelection(line(), { source: 'transactions', reason: 'Luhn' })).toBe(false);
    expect(matchesSelection(line(), { source: 'claims' })).toBe(false);
    expect(matchesSelection(line(), { source: 'transactions', since: new Date('2026-03-01T10:00:00Z'), until: new Date('2026-03-01T10:00:01Z') })).toBe(true);
    expect(matchesSelection(line(), { source: 'transactions', until: new Date('2026-03-01T10:00:00Z') })).toBe(false);
    expect(matchesSelection(line(), { source: 'transactions', since: new Date('2026-03-01T10:00:01Z') })).toBe(false);
  });

  it('selects by event id when ids are given', () => {
    expect(matchesSelection(line(), { source: 'transactions', eventIds: ['evt-1'] })).toBe(true);
    expect(matchesSelection(line(), { source: 'transactions', eventIds: ['evt-2'] })).toBe(false);
  });

  it('reads a quarantine object line by line, numbering lines from 1 and skipping blank ones', () => {
    const text = `${JSON.stringify(line())}\n\n${JSON.stringify(line({ eventId: 'evt-2' }))}\n`;
    expect(parseQuarantineObject('k', text).map((record) => [record.lineNumber, record.line.eventId])).toEqual([[1, 'evt-1'], [3, 'evt-2']]);
  });
});

describe('replay: idempotency', () => {
  it('re-publishes a patched record to its topic with its original event id, batch id and receive time', () => {
    const decision = replayDecision(quarantined(), transactions, { patch: { currency: 'EUR' }, topicPrefix: 'ingest.' });
    expect(decision.replay).toBe(true);
    if (!decision.replay) return;
    expect(decision.message.topic).toBe('ingest.transactions');
    expect(decision.message.key).toBe('tx-1');
    expect(decision.message.headers).toMatchObject({ 'event-id': 'evt-1', 'batch-id': 'batch-1', 'received-at': '2026-03-01T10:00:00.000Z' });
    expect(JSON.parse(decision.message.value)).toEqual({ transactionId: 'tx-1', amount: '10.00', updatedAt: '2026-03-01T09:00:00Z', currency: 'EUR' });
  });

  it('gives the same message when the same record is replayed twice', () => {
    const first = replayDecision(quarantined(), transactions, { topicPrefix: 'ingest.' });
    const second = replayDecision(quarantined(), transactions, { topicPrefix: 'ingest.' });
    expect(first).toEqual(second);
  });

  it('skips a quarantine occurrence the ledger says was replayed, but not a later quarantine of the same event', () => {
    const ledger = { eventId: 'evt-1', objectKey: 'quarantine/transactions/a.ndjson', lineNumber: 1, replayedAt: '2026-03-02T00:00:00.000Z', patched: true };
    expect(replayDecision(quarantined(), transactions, { topicPrefix: 'ingest.', ledger })).toMatchObject({ replay: false, why: expect.stringMatching(/already replayed/) });
    const requarantined: QuarantinedRecord = { ...quarantined(), objectKey: 'quarantine/transactions/b.ndjson' };
    expect(replayDecision(requarantined, transactions, { topicPrefix: 'ingest.', ledger }).replay).toBe(true);
    expect(replayLedgerKey('transactions', 'evt-1')).toBe('reports/replays/transactions/evt-1.json');
  });

  it('never replays a record quarantined for card data, whose clear value was never stored', () => {
    const decision = replayDecision(quarantined({ reasons: [{ path: 'note', message: 'holds a clear card number (visa) outside a card field; masked' }] }), transactions, { topicPrefix: 'ingest.' });
    expect(decision).toMatchObject({ replay: false, why: expect.stringMatching(/producer must send the record again/) });
  });

  it('skips records without an event id or without a business key after the patch', () => {
    expect(replayDecision(quarantined({ eventId: null }), transactions, { topicPrefix: 'ingest.' }).replay).toBe(false);
    expect(replayDecision(quarantined({ payload: { amount: '1' } }), transactions, { topicPrefix: 'ingest.' })).toMatchObject({ replay: false, why: expect.stringMatching(/business key/) });
  });

  it('applies a JSON merge patch: nested objects merged, null removes a field', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, e: 4 }, { b: { c: 5 }, e: null, f: [1] })).toEqual({ a: 1, b: { c: 5, d: 3 }, f: [1] });
  });
});

describe('replay: dead letters', () => {
  const record = {
    version: '1.0', timestamp: '2026-03-01T10:00:00.000Z',
    requestContext: { requestId: 'r', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:MergeTriggerFunction:$LATEST', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
    requestPayload: { Records: [] }, responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  };

  it('names the function from the record\'s ARN and selects by name and failure time', () => {
    const letter = parseDeadLetter('aws/lambda/async/MergeTriggerFunction/x', JSON.stringify(record));
    expect(letter.functionName).toBe('MergeTriggerFunction');
    expect(functionNameOf('arn:aws:lambda:eu-west-1:1:function:stack-FileDropFunction-AB12')).toBe('stack-FileDropFunction-AB12');
    expect(matchesDeadLetter(letter, { functionName: 'MergeTrigger' })).toBe(true);
    expect(matchesDeadLetter(letter, { functionName: 'FileDrop' })).toBe(false);
    expect(matchesDeadLetter(letter, { since: new Date('2026-03-01T10:00:01Z') })).toBe(false);
  });

  it('reads the batch of a Kafka mapping\'s failure record from its payload string', () => {
    const { requestPayload: _none, ...mappingRecord } = record;
    const letter = parseDeadLetter('aws/lambda/uuid/ingest.claims-0/x', JSON.stringify({ ...mappingRecord, KafkaBatchInfo: { batchSize: 1 }, payload: JSON.stringify({ eventSource: 'SelfManagedKafka', records: {} }) }));
    expect(letter.record.requestPayload).toEqual({ eventSource: 'SelfManagedKafka', records: {} });
  });

  it('refuses an object that is not an invocation record', () => {
    expect(() => parseDeadLetter('k', '{"Records":[]}')).toThrow(/not an invocation record/);
  });
});
