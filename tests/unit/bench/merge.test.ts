import { describe, expect, it } from 'vitest';
import { entities, landingObjects, updates } from '../../../bench/lib/landing.ts';
import { mergeFigureName, mergeFigures } from '../../../bench/stages/merge.ts';

describe('mergeFigureName', () => {
  it('names a figure by its source rows and its table rows', () => {
    expect(mergeFigureName(10_000, 10_000_000)).toBe('merge-10k-into-10m');
    expect(mergeFigureName(10_000, 1_000_000)).toBe('merge-10k-into-1m');
    expect(mergeFigureName(200, 1234)).toBe('merge-200-into-1234');
  });
});

describe('mergeFigures', () => {
  const table = (rows: number, mergeMs: number, plainMergeMs: number) => ({
    rows,
    sourceRows: 10_000,
    seed: { rows, curatedRows: rows, files: 4 },
    mergeMs,
    plainMergeMs,
    filesAfter: 5,
    result: {},
  });

  it('reports each table, the scaling between them and the merge against a plain MERGE, with their goals', () => {
    const figures = mergeFigures([table(1_000_000, 8_000, 10_000), table(10_000_000, 10_000, 16_000)]);

    const byName = Object.fromEntries(figures.map((figure) => [figure.name, figure]));
    expect(Object.keys(byName)).toEqual(['merge-10k-into-1m', 'merge-10k-into-10m', 'merge-scaling', 'merge-vs-plain']);
    expect(byName['merge-10k-into-10m']).toMatchObject({ value: 10, unit: 's', baseline: 16, params: { goalMet: true } });
    expect(byName['merge-scaling']).toMatchObject({ value: 1.25, params: { goalMet: true } });
    expect(byName['merge-vs-plain']).toMatchObject({ value: 1000, baseline: 625, params: { goalMet: true } });
  });

  it('marks a merge that grows with the table as missing the scaling goal', () => {
    const figures = mergeFigures([table(1_000_000, 5_000, 5_000), table(10_000_000, 20_000, 6_000)]);

    expect(figures.find((figure) => figure.name === 'merge-scaling')).toMatchObject({ value: 4, params: { goalMet: false } });
    expect(figures.find((figure) => figure.name === 'merge-vs-plain')).toMatchObject({ params: { goalMet: false } });
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
