import { describe, expect, it } from 'vitest';
import type { SourceContract } from '#contracts/contract.ts';
import { protectRecord } from '#contracts/protect.ts';
import { findContract, sourceNames } from '#contracts/registry.ts';

const key = 'unit-test-card-token-key-0123456789';
const contract = (source: string) => findContract(source) as SourceContract;

function problems(source: string, record: Record<string, unknown>): string[] {
  const result = contract(source).schema.safeParse(protectRecord(contract(source), record, key));
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

const transaction = {
  transactionId: 'TX-1', accountId: 'ACC-1', type: 'debit', status: 'posted', amount: '10.5', currency: 'EUR',
  cardNumber: '4111111111111111', occurredAt: '2026-03-01T12:00:00+01:00', updatedAt: '2026-03-01T12:00:00+01:00',
};
const policy = {
  policyId: 'POL-1', policyholderId: 'PH-1', product: 'home', status: 'active', premium: '300', sumInsured: '250000.00',
  currency: 'GBP', startDate: '2026-01-01', endDate: '2027-01-01', updatedAt: '2026-01-01T00:00:00Z',
};
const claim = {
  claimId: 'CLM-1', policyId: 'POL-1', lossType: 'water', status: 'reported', lossDate: '2026-02-01',
  reportedAt: '2026-02-02T09:00:00Z', claimedAmount: '1200.00', currency: 'GBP', updatedAt: '2026-02-02T09:00:00Z',
};

describe('registry', () => {
  it('holds the financial and insurance sources', () => {
    expect(sourceNames().sort()).toEqual(['claims', 'policies', 'transactions']);
    expect(findContract('payments')).toBeUndefined();
  });
});

describe('transactions contract', () => {
  it('normalises a valid transaction: amount in minor units, UTC time, card masked and tokenised', () => {
    const result = contract('transactions').schema.parse(protectRecord(contract('transactions'), transaction, key));
    expect(result).toMatchObject({ amount: '10.50', occurredAt: '2026-03-01T11:00:00.000Z', cardMasked: '411111******1111' });
    expect(result.cardToken).toMatch(/^tok_/);
    expect(JSON.stringify(result)).not.toContain('4111111111111111');
    expect(result).not.toHaveProperty('cardNumber');
  });
  it('rejects a card number that fails the Luhn check', () => {
    expect(problems('transactions', { ...transaction, cardNumber: '4111111111111112' })).toContain('cardNumber: card number fails the Luhn check');
  });
  it('rejects an unknown currency', () => {
    expect(problems('transactions', { ...transaction, currency: 'XYZ' })).toContain('currency: must be an active ISO 4217 currency code');
  });
  it('rejects money sent as a JSON number', () => {
    expect(problems('transactions', { ...transaction, amount: 10.5 })).toEqual(['amount: must be a decimal string such as "125.40", not a number']);
  });
  it('rejects more decimals than the currency has', () => {
    expect(problems('transactions', { ...transaction, amount: '10.555' })).toEqual(['amount: amount has more decimal places than EUR allows (2)']);
  });
  it('rejects a timestamp without offset', () => {
    expect(problems('transactions', { ...transaction, occurredAt: '2026-03-01T12:00:00' })[0]).toMatch(/^occurredAt: must be an RFC 3339 timestamp/);
  });
  it('rejects an update dated before the transaction', () => {
    expect(problems('transactions', { ...transaction, updatedAt: '2026-03-01T10:00:00Z' })).toEqual(['updatedAt: updatedAt must not be before occurredAt']);
  });
});

describe('policies contract', () => {
  it('accepts a valid policy and pads amounts to minor units', () => {
    expect(contract('policies').schema.parse(policy)).toMatchObject({ premium: '300.00', sumInsured: '250000.00' });
  });
  it('rejects a policy that ends before it starts', () => {
    expect(problems('policies', { ...policy, endDate: '2025-12-31' })).toEqual(['endDate: endDate must be after startDate']);
  });
  it('rejects a policy that ends the day it starts', () => {
    expect(problems('policies', { ...policy, endDate: '2026-01-01' })).toEqual(['endDate: endDate must be after startDate']);
  });
  it('rejects a date that does not exist', () => {
    expect(problems('policies', { ...policy, startDate: '2026-02-30' })).toContain('startDate: must be a calendar date YYYY-MM-DD');
  });
  it('rejects a negative premium', () => {
    expect(problems('policies', { ...policy, premium: '-1.00' })[0]).toMatch(/^premium: premium must be a non-negative decimal/);
  });
  it('rejects an unknown product', () => {
    expect(problems('policies', { ...policy, product: 'pet' })[0]).toMatch(/^product: /);
  });
});

describe('claims contract', () => {
  it('accepts a valid claim', () => {
    expect(contract('claims').schema.parse(claim)).toMatchObject({ claimId: 'CLM-1', paidAmount: null, reportedAt: '2026-02-02T09:00:00.000Z' });
  });
  it('rejects a claim reported before its loss date', () => {
    expect(problems('claims', { ...claim, reportedAt: '2026-01-31T23:00:00Z' })).toEqual(['reportedAt: claim reported before its loss date']);
  });
  it('accepts a claim reported on the day of the loss', () => {
    expect(problems('claims', { ...claim, reportedAt: '2026-02-01T18:00:00Z' })).toEqual([]);
  });
  it('rejects a paid claim without a paid amount', () => {
    expect(problems('claims', { ...claim, status: 'paid' })).toEqual(['paidAmount: a paid claim needs paidAmount']);
  });
  it('is closed: a field it does not declare never passes its schema (the extension policy decides, in validation)', () => {
    expect(contract('claims').schema.safeParse({ ...claim, adjuster_id: 'AD-7' }).success).toBe(false);
  });
  it('rejects a claim without its policy', () => {
    const { policyId: _omitted, ...withoutPolicy } = claim;
    expect(problems('claims', withoutPolicy)[0]).toMatch(/^policyId: /);
  });
});
