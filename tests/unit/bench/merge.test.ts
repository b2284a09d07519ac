import { describe, expect, it } from 'vitest';
import { entities, landingObjects, updates } from '../../../bench/lib/landing.ts';
import { mergeFigureName } from '../../../bench/stages/merge.ts';

describe('mergeFigureName', () => {
  it('names the 100,000-row figure "merge" and the others by their size', () => {
    expect(mergeFigureName(100_000)).toBe('merge');
    expect(mergeFigureName(10_000)).toBe('merge-10k');
    expect(mergeFigureName(1_000_000)).toBe('merge-1m');
    expect(mergeFigureName(1234)).toBe('merge-1234');
  });
});

describe('landing objects for the merge benchmark', () => {
  it('numbers entities from the given start so chunks never share a key', () => {
    const first = entities(0, 3, 1).map((record) => record.transactionId);
    const second = entities(3, 3, 2).map((record) => record.transactionId);
    expect([...first, ...second]).toEqual(['TX-000000000', 'TX-000000001', 'TX-000000002', 'TX-000000003', 'TX-000000004', 'TX-000000005']);
  });

  it('makes updates that keep the key and carry a later event time', () => {
    const [record] = entities(10, 1, 3);
    const [update] = updates([record!], 4);
    expect(update!.transactionId).toBe(record!.transactionId);
    expect(Date.parse(String(update!.updatedAt))).toBeGreaterThan(Date.parse(String(record!.updatedAt)));
  });

  it('lays validated lines out in objects keyed by their offsets, as validation does', () => {
    const objects = landingObjects(entities(0, 5, 1), 100, 2);
    expect(objects.map((object) => object.key)).toEqual([
      'landing/transactions/ingest.transactions/partition=0/00000000000000000100-00000000000000000101.ndjson',
      'landing/transactions/ingest.transactions/partition=0/00000000000000000102-00000000000000000103.ndjson',
      'landing/transactions/ingest.transactions/partition=0/00000000000000000104-00000000000000000104.ndjson',
    ]);
    const line = objects[0]!.lines[0]!;
    expect(line).toMatchObject({ op: 'upsert', key: 'TX-000000000', offset: 100, source: 'transactions', contractVersion: 1 });
    expect(JSON.stringify(objects.flatMap((object) => object.lines.map((l) => l.record)))).not.toMatch(/\d{13,19}/);
  });
});
