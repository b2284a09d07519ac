import { describe, expect, it } from 'vitest';
import { defineContract, type SourceContract } from '#contracts/contract.ts';
import { splitUndeclaredFields } from '#contracts/extensions.ts';
import { contractJsonSchema } from '#contracts/json-schema.ts';
import { findContract } from '#contracts/registry.ts';
import { validateRecord } from '../../../functions/validate/validate-record.ts';

const key = 'unit-test-card-token-key-0123456789';
const claims = findContract('claims')!;
const claim = {
  claimId: 'CLM-1', policyId: 'POL-1', lossType: 'water', status: 'reported', lossDate: '2026-02-01',
  reportedAt: '2026-02-02T09:00:00Z', claimedAmount: '1200.00', currency: 'GBP', updatedAt: '2026-02-02T09:00:00Z',
};
const problems = (contract: SourceContract, extra: Record<string, unknown>) => splitUndeclaredFields(contract, { ...claim, ...extra }).problems;

describe('undeclared fields under keep-scalars', () => {
  it('keeps a safely named scalar as text, beside the declared fields', () => {
    const verdict = validateRecord(claims, { ...claim, adjuster_id: 'AD-7', priority: 2, urgent: true, note: null }, key);
    expect(verdict).toMatchObject({ valid: true, record: { claimId: 'CLM-1', adjuster_id: 'AD-7', priority: '2', urgent: 'true', note: null } });
  });

  it.each([
    ['a name with a space', 'merchant ref'],
    ['a capitalised name', 'Status'],
    ['a camel-case name (Spark matches columns without case)', 'adjusterId'],
    ['a name starting with "_"', '_is_deleted'],
    ['a name of 65 characters', `a${'b'.repeat(64)}`],
  ])('refuses %s', (_, name) => {
    expect(problems(claims, { [name]: 'x' })).toEqual([{ path: name, message: expect.stringContaining('lower-case letters') }]);
  });

  it('refuses a name that matches a declared field or a lake line field, ignoring case', () => {
    expect(problems(claims, { claimid: 'x' })).toEqual([{ path: 'claimid', message: expect.stringContaining('taken') }]);
    expect(problems(claims, { payload: 'x', record: 'y' }).map((p) => p.path)).toEqual(['payload', 'record']);
    expect(splitUndeclaredFields(findContract('transactions')!, { cardmasked: 'x' }).problems).toEqual([{ path: 'cardmasked', message: expect.stringContaining('taken') }]);
  });

  it('leaves op out of the declared fields, for the closed schema, with or without extra fields', () => {
    expect(splitUndeclaredFields(claims, { ...claim, op: 'upsert' }).declared).toEqual(claim);
    expect(splitUndeclaredFields(claims, { op: 'upsert', ...claim, adjuster_id: 'AD-7' })).toEqual({ declared: claim, kept: { adjuster_id: 'AD-7' }, problems: [] });
  });

  it('refuses objects, arrays, values over 1 KB and more than 32 extra fields', () => {
    expect(problems(claims, { meta: { a: 1 } })[0]!.message).toContain('string, a number, a boolean or null');
    expect(problems(claims, { tags: ['a'] })[0]!.message).toContain('string, a number, a boolean or null');
    expect(problems(claims, { note: 'é'.repeat(513) })[0]!.message).toContain('1024 bytes');
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`extra_${i}`, 'x']));
    expect(problems(claims, many)).toEqual([{ path: '', message: 'has 33 undeclared fields; at most 32 are kept' }]);
  });

  it('quarantines the record with the reason, leaving the rest of its batch alone', () => {
    const verdict = validateRecord(claims, { ...claim, 'merchant ref': 'x' }, key);
    expect(verdict).toMatchObject({ valid: false, reasons: [{ path: 'merchant ref', message: expect.any(String) }] });
  });
});

describe('undeclared fields under reject', () => {
  const closed = defineContract({ ...claims, source: 'closed-claims', undeclaredFields: 'reject' });

  it('quarantines any field the contract does not declare', () => {
    expect(problems(closed, { adjuster_id: 'AD-7' })).toEqual([{ path: 'adjuster_id', message: 'is not a field of the closed-claims contract' }]);
  });

  it('exports additionalProperties: false', () => {
    expect(contractJsonSchema(closed).additionalProperties).toBe(false);
  });
});

describe('the policy in the exported JSON Schema', () => {
  it('names the declared fields, the pattern for the others, their value types and the count', () => {
    const schema = contractJsonSchema(claims);
    expect(schema.additionalProperties).toEqual({ type: ['string', 'number', 'boolean', 'null'], maxLength: 1024 });
    expect(schema.propertyNames.anyOf[0].enum).toEqual(expect.arrayContaining(['claimId', 'op']));
    expect(schema.propertyNames.anyOf[1]).toEqual({ pattern: '^[a-z][a-z0-9_]{0,63}$' });
    expect(schema.maxProperties).toBe(schema.propertyNames.anyOf[0].enum.length + 32);
  });
});

describe('long-number fields', () => {
  it('cannot be the business key', () => {
    expect(() => defineContract({ ...claims, longNumberFields: ['claimId'] })).toThrow('cannot be a long-number field');
  });
});
