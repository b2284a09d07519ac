import { PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { fileReportKey, lakePrefixes } from '#contracts/lake.ts';
import { deterministicUuid } from '#lib/ids.ts';
import { stackSettings } from '../../local-stack/stack.config.ts';
import { reconcile, type SourceReconciliation } from '../../tools/pipeline/reconcile.ts';
import type { AcceptedRecord } from '../../tools/pipeline/send-records.ts';
import { LakeWatcher, lakeClient, waitUntilSettled } from '../../tools/pipeline/settle.ts';
import { generateSample } from '../../tools/sample-data/generate-sample.ts';
import { runLakeScan } from '../fixtures/commands.ts';
import { fileReportComplete, useLocalRuntime, waitForObject } from './support.ts';

// Keys unique to this run, so earlier runs against the same lake cannot change the counts.
const runId = `hostile${Date.now().toString(36)}-`;
const s3 = lakeClient();
const source = 'transactions';

const local = useLocalRuntime();

/** Valid transactions of this run only: new entities, no updates or invalid ones, so each ends in curated. */
const valid = (count: number, seed: number, prefix: string) =>
  generateSample({ source, count, seed, keyPrefix: `${runId}${prefix}`, invalidRate: 0, updateRate: 0, lateRate: 0, deleteRate: 0, duplicateRate: 0 }).map(
    (entry) => entry.record as Record<string, unknown>,
  );

const nested = (depth: number, leaf: unknown): unknown => (depth === 0 ? leaf : { level: nested(depth - 1, leaf) });

/** Accepted at ingest (card numbers masked there), quarantined by validation: each breaks the contract only through what a careless producer added. */
function quarantinedAtValidation(base: Record<string, unknown>[]): Record<string, unknown>[] {
  const hostile: Record<string, unknown>[] = [
    { note: 'card 4111 1111 1111 1111' },
    { extra: { deep: { pan: '6011-1111-1111-1117' } } },
    { '5555555555554444': 'a card number as a field name' },
    { 'merchant ref': 'MR-1' },
    { Status: 'posted' },
    { memo: 'x'.repeat(300_000) },
    { tree: nested(12, 'leaf') },
    { reference_number: 4111111111111111 },
    { tags: ['a', '3782 822463 10005'] },
    { 'ünïcödé field': 'value' },
  ];
  return hostile.map((fields, index) => ({ ...base[index], ...fields }));
}

/** Refused at ingest with a 422 that names each by index: nothing of their batch is published. */
const refusedAtIngest = (base: Record<string, unknown>[]): unknown[] => [
  { ...base[0], cvv: '123' },
  { ...base[1], securityCode: '1234' },
  { ...base[2], cardNumber: { masked: '4111 1111 1111 1111', token: 'tok_x', luhnValid: true } },
  42,
  'a string record',
  null,
  [{ transactionId: `${runId}in-an-array` }],
  { ...base[3], tree: nested(20, 'too deep') },
  { ...base[4], wide: Object.fromEntries(Array.from({ length: 1200 }, (_, i) => [`f${i}`, i])) },
];

async function post(records: unknown[]): Promise<{ status: number; body: any }> {
  const response = await fetch(`${local.runtime.apiUrl}/v1/sources/${source}/records`, {
    method: 'POST',
    headers: { authorization: `Bearer ${local.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(records),
  });
  return { status: response.status, body: await response.json() };
}

const receipts = (eventIds: string[]): AcceptedRecord[] => eventIds.map((eventId) => ({ eventId, source, acceptedAt: Date.now() }));

const countsOf = async (accepted: AcceptedRecord[]): Promise<SourceReconciliation> => (await reconcile(accepted)).sources.find((entry) => entry.source === source)!;

describe('hostile producers through the running stack', () => {
  const mixedValid = valid(20, 21, 'ok-');
  const mixedHostile = quarantinedAtValidation(valid(10, 22, 'bad-'));
  // Valid and hostile records interleaved in one request.
  const mixed = mixedValid.flatMap((record, index) => (index < mixedHostile.length ? [record, mixedHostile[index]!] : [record]));
  const refusedValid = valid(10, 23, 'resent-');
  const refusedBatch = [...refusedValid.slice(0, 5), ...refusedAtIngest(valid(5, 24, 'refused-')), ...refusedValid.slice(5)];
  const hostileFileKey = `${lakePrefixes.fileDrop}${source}/${runId}export [1] {a,b} *?.csv`;
  let mixedAnswer: { status: number; body: any };
  let refusedAnswer: { status: number; body: any };
  let resentAnswer: { status: number; body: any };
  let fileReport: Record<string, any>;
  const validAccepted: AcceptedRecord[] = [];
  const hostileAccepted: AcceptedRecord[] = [];

  beforeAll(async () => {
    const watcher = new LakeWatcher(s3);
    await watcher.snapshot();
    mixedAnswer = await post(mixed);
    refusedAnswer = await post(refusedBatch);
    // What a producer does with a 422: sends again without the records it names.
    resentAnswer = await post(refusedValid);
    const csv = ['transactionId,accountId,type,status,amount,currency,occurredAt,updatedAt', ...[1, 2].map((n) => `${runId}file-${n},ACC-1,debit,posted,1.00,EUR,2026-03-01T12:00:00Z,2026-03-01T12:00:00Z`), `${runId}file-3,too,few`];
    await s3.send(new PutObjectCommand({ Bucket: stackSettings.lakeBucket, Key: hostileFileKey, Body: `${csv.join('\r\n')}\r\n` }));
    fileReport = await waitForObject(fileReportKey(hostileFileKey), 120_000, fileReportComplete);

    const mixedIds: string[] = mixedAnswer.body.eventIds ?? [];
    for (const [index, record] of mixed.entries()) (mixedHostile.includes(record) ? hostileAccepted : validAccepted).push(...receipts([mixedIds[index]!]));
    validAccepted.push(...receipts(resentAnswer.body.eventIds ?? []));
    // File lines: 2 and 3 are records, 4 has too few fields.
    validAccepted.push(...receipts([2, 3].map((line) => deterministicUuid(fileReport.batchId, String(line)))));
    hostileAccepted.push(...receipts([deterministicUuid(fileReport.batchId, '4')]));
    await waitUntilSettled(watcher, mixed.length + refusedValid.length + 3, { timeoutMs: 8 * 60_000 });
  });

  it('accepts a batch that mixes valid and hostile records the contract quarantines', () => {
    expect(mixedAnswer.status).toBe(202);
    expect(mixedAnswer.body.accepted).toBe(mixed.length);
  });

  it('refuses a batch holding card secrets, forged protection, non-objects or over-limit records, naming each by index', () => {
    expect(refusedAnswer.status).toBe(422);
    expect(refusedAnswer.body.error.code).toBe('INVALID_RECORDS');
    expect(refusedAnswer.body.error.details.records.map((record: { index: number }) => record.index)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(JSON.stringify(refusedAnswer.body)).not.toMatch(/4111 1111 1111 1111|"123"/);
    expect(resentAnswer.status).toBe(202);
  });

  it('reads a dropped file whose name holds spaces and glob characters', () => {
    expect(fileReport).toMatchObject({ source, lines: 4, published: 2, rejected: 1 });
  });

  it('puts every valid record, including those sharing a batch with hostile ones, in the curated table', async () => {
    expect(await countsOf(validAccepted)).toMatchObject({ accepted: validAccepted.length, curated: validAccepted.length, quarantined: 0, lost: 0, inBoth: 0 });
  });

  it('puts every hostile record it accepted in quarantine, and only there', async () => {
    expect(await countsOf(hostileAccepted)).toMatchObject({ accepted: hostileAccepted.length, quarantined: hostileAccepted.length, curated: 0, lost: 0, inBoth: 0 });
  });

  it('leaves no clear card number in the lake bucket or the ingest topics (npm run lake:scan)', async () => {
    const scan = await runLakeScan([]);
    expect(scan.stdout).toMatch(/^0 clear card numbers in \d+ objects under "" and \d+ messages/m);
    expect(scan.code).toBe(0);
  });
});
