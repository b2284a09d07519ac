import { describe, expect, it } from 'vitest';
import { protectRecord } from '#contracts/protect.ts';
import { findContract, sourceNames } from '#contracts/registry.ts';
import { expectedOutcome, generateSample } from '../../../tools/sample-data/generate-sample.ts';
import { validateRecord } from '../../../functions/validate/validate-record.ts';

const key = 'unit-test-card-token-key-0123456789';

describe.each(sourceNames())('sample for %s', (source) => {
  const sample = generateSample({ source, count: 3000, seed: 7 });
  const contract = findContract(source)!;

  it('is the same for the same seed and different for another', () => {
    expect(generateSample({ source, count: 50, seed: 7 })).toEqual(sample.slice(0, 50));
    expect(generateSample({ source, count: 50, seed: 8 })).not.toEqual(sample.slice(0, 50));
  });

  it('holds every kind of record the pipeline must handle', () => {
    const kinds = new Set(sample.map((entry) => entry.kind));
    expect([...kinds].sort()).toEqual(['delete', 'duplicate', 'invalid', 'late', 'new', 'update']);
  });

  it('labels truthfully: only the invalid records break the contract', () => {
    for (const { record, kind, reason } of sample) {
      const verdict = validateRecord(contract, protectRecord(contract, record, key), key);
      expect(verdict.valid, `${kind} ${reason ?? ''} ${JSON.stringify(record)}`).toBe(kind !== 'invalid');
    }
  });

  it('sends late versions older than the version already sent for the key', () => {
    const newestSoFar = new Map<string, string>();
    for (const { record, kind } of sample) {
      if (kind === 'invalid') continue;
      const entity = String(record[contract.businessKey]);
      const time = new Date(String(record[contract.eventTimeField])).toISOString();
      if (kind === 'late') expect(time < newestSoFar.get(entity)!).toBe(true);
      if (!newestSoFar.has(entity) || time > newestSoFar.get(entity)!) newestSoFar.set(entity, time);
    }
  });

  it('prefixes every business key when asked, invalid records included', () => {
    const prefixed = generateSample({ source, count: 200, seed: 7, keyPrefix: 'run1-' });
    expect(prefixed.every(({ record }) => String(record[contract.businessKey] ?? 'run1-').startsWith('run1-'))).toBe(true);
  });

  it('expects one curated row per entity whose newest version is not a delete', () => {
    const outcome = expectedOutcome(source, sample);
    const created = sample.filter((entry) => entry.kind === 'new').length;
    const deleted = sample.filter((entry) => entry.kind === 'delete').length;
    expect(outcome.curatedRows).toBe(created - deleted);
    expect(outcome.deletedEntities).toBe(deleted);
    expect(outcome.quarantined + outcome.valid).toBe(3000);
  });
});
