import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contractsJsonPath, exportContracts } from '../../tools/export-contracts.ts';

describe('contracts export for Spark', () => {
  it('matches the committed spark/ledgerflow_spark/contracts.json (run `npm run contracts:export` after changing a contract)', () => {
    const committed = readFileSync(contractsJsonPath, 'utf8');
    expect(committed).toBe(exportContracts());
  });

  it('types money fields as DECIMAL and leaves clear card fields out', () => {
    const { sources } = JSON.parse(exportContracts());
    const transactions = sources.find((source: any) => source.source === 'transactions');
    expect(transactions.fields).toContainEqual({ name: 'amount', type: 'decimal(38,6)' });
    expect(transactions.fields).toContainEqual({ name: 'updatedAt', type: 'timestamp' });
    expect(transactions.fields.map((field: any) => field.name)).not.toContain('cardNumber');
    expect(transactions.tables).toEqual({ raw: 'raw.transactions', curated: 'curated.transactions', quarantine: 'quarantine.transactions' });
  });
});
