import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { findContract } from '#contracts/registry.ts';
import type { OutgoingMessage } from '#lib/record-messages.ts';
import { type DroppedFile, processFile } from '../../../functions/file-drop/process-file.ts';
import { fileFormat } from '../../../functions/file-drop/read-records.ts';

const options = { topicPrefix: 'ingest.', tokenKey: 'unit-test-card-token-key-0123456789', chunkSize: 2, maxMessageBytes: 1_048_576 };
const file = (key: string): DroppedFile => ({ bucket: 'lake', key, eTag: 'etag-1', source: key.split('/')[1]!, format: fileFormat(key)! });

async function run(key: string, text: string | Iterable<string>, chunkSize = options.chunkSize) {
  const chunks: OutgoingMessage[][] = [];
  const body = typeof text === 'string' ? Readable.from([text]) : Readable.from(text);
  const result = await processFile(file(key), body, findContract(file(key).source)!, {
    publish: async (messages) => void chunks.push(messages),
    now: () => new Date('2026-03-01T12:00:00Z'),
  }, { ...options, chunkSize });
  return { ...result, chunks, messages: chunks.flat() };
}

const claimsCsv = [
  'claimId,policyId,lossType,status,lossDate,reportedAt,claimedAmount,paidAmount,currency,updatedAt',
  'CLM-1,POL-1,water,reported,2026-02-01,2026-02-02T09:00:00Z,1200.00,,GBP,2026-02-02T09:00:00Z',
  'CLM-2,POL-2,"fire, kitchen",reported,2026-02-03,2026-02-04T09:00:00Z,300.50,,EUR,2026-02-04T09:00:00Z',
  ',POL-3,theft,reported,2026-02-05,2026-02-05T10:00:00Z,80.00,,EUR,2026-02-05T10:00:00Z',
  'CLM-4,POL-4,theft',
  'CLM-5,POL-5,other,reported,2026-02-06,2026-02-06T10:00:00Z,10.00,,EUR,2026-02-06T10:00:00Z',
].join('\n');

describe('file drop', () => {
  it('publishes CSV rows as records with string values and no empty fields', async () => {
    const { messages, report } = await run('files/claims/export.csv', claimsCsv);
    expect(messages.map((m) => m.key)).toEqual(['CLM-1', 'CLM-2', 'CLM-5']);
    expect(JSON.parse(messages[1]!.value)).toMatchObject({ lossType: 'fire, kitchen', claimedAmount: '300.50' });
    expect(JSON.parse(messages[0]!.value)).not.toHaveProperty('paidAmount');
    expect(report).toMatchObject({ file: 's3://lake/files/claims/export.csv', source: 'claims', lines: 6, published: 3, rejected: 2 });
  });

  it('quarantines unreadable lines with their line numbers and reasons', async () => {
    const { rejected } = await run('files/claims/export.csv', claimsCsv);
    expect(rejected.map((r) => [r.line, r.reasons[0]!.message])).toEqual([
      [4, 'record must carry its business key "claimId" as a non-empty string'],
      [5, 'line has a different number of fields than the header'],
    ]);
    expect(rejected[0]).toMatchObject({ file: 's3://lake/files/claims/export.csv', source: 'claims', topic: null, offset: null });
  });

  it('reads NDJSON and reports lines that are not JSON objects', async () => {
    const text = '{"policyId":"POL-1"}\n\nnot json\n[1,2]\n{"policyId":"POL-2"}\n';
    const { messages, rejected } = await run('files/policies/daily.ndjson', text);
    expect(messages.map((m) => m.key)).toEqual(['POL-1', 'POL-2']);
    expect(rejected.map((r) => r.line)).toEqual([3, 4]);
    expect(rejected[0]!.reasons[0]!.message).toMatch(/^line is not valid JSON/);
  });

  it('publishes in chunks while reading, never the whole file at once', async () => {
    const lines = function* () {
      for (let i = 0; i < 1000; i++) yield `{"transactionId":"TX-${i}"}\n`;
    };
    const { chunks, report } = await run('files/transactions/big.ndjson', lines(), 100);
    expect(chunks).toHaveLength(10);
    expect(Math.max(...chunks.map((c) => c.length))).toBe(100);
    expect(report.published).toBe(1000);
  });

  it('stamps records with the file as their origin and ids that repeat when the file is read again', async () => {
    const first = await run('files/claims/export.csv', claimsCsv);
    const again = await run('files/claims/export.csv', claimsCsv);
    expect(first.messages[0]!.headers).toMatchObject({ 'source-object': 's3://lake/files/claims/export.csv', 'batch-id': first.report.batchId });
    expect(again.messages.map((m) => m.headers['event-id'])).toEqual(first.messages.map((m) => m.headers['event-id']));
  });

  it('protects card numbers in published records and in quarantined lines', async () => {
    const text = '{"transactionId":"TX-1","cardNumber":"4111111111111111"}\n{"cardNumber":"4111111111111111"}\npan 4111111111111111\n';
    const { messages, rejected } = await run('files/transactions/cards.ndjson', text);
    expect(JSON.stringify({ messages, rejected })).not.toContain('4111111111111111');
    expect(rejected).toHaveLength(2);
  });

  it('knows the formats it reads by file name', () => {
    expect([fileFormat('a.CSV'), fileFormat('a.jsonl'), fileFormat('a.ndjson'), fileFormat('a.xlsx')]).toEqual(['csv', 'ndjson', 'ndjson', undefined]);
  });
});
