import { describe, expect, it } from 'vitest';
import { recordLimits } from '#contracts/record-limits.ts';
import { scanRecord } from '#contracts/record-scan.ts';
import { findContract } from '#contracts/registry.ts';

const contract = findContract('transactions')!;
const scan = (value: unknown) => scanRecord(value, contract, recordLimits(), 'unit-test-card-token-key-0123456789');

describe('scanRecord on JSON numbers', () => {
  it('masks a card number written as a whole JSON number', () => {
    const result = scan({ memo: 4111111111111111 });
    expect(result.value).toEqual({ memo: '411111******1111' });
    expect(result.cardNumbers).toEqual([expect.objectContaining({ path: 'memo', brand: 'Visa' })]);
  });

  it('masks a card number written as the fraction of a JSON number', () => {
    const result = scan({ memo: 0.4111111111111111 });
    expect(JSON.stringify(result.value)).not.toContain('4111111111111111');
    expect(result.cardNumbers).toHaveLength(1);
  });

  it('leaves numbers that hold no card number as numbers', () => {
    expect(scan({ quantity: 3, ratio: 0.125, epochMillis: 1772366406000, tiny: -7.5e-297 }).value).toEqual({ quantity: 3, ratio: 0.125, epochMillis: 1772366406000, tiny: -7.5e-297 });
  });
});

describe('scanRecord copies only what it changes', () => {
  it('returns a record with nothing to mask or leave out as it is', () => {
    const record = { id: 'TX-1', nested: { list: [1, 'two', { three: 3 }] }, note: 'no card here' };
    expect(scan(record).value).toBe(record);
  });

  it('never changes its input, whatever it masks or leaves out at any depth', () => {
    const record = {
      id: 'TX-1',
      before: { untouched: [1, 2] },
      deep: { list: ['ok', { memo: 'card 4111 1111 1111 1111' }], cvv: '123' },
      ['__proto__']: 'kept as a field',
      after: 'ok',
    };
    const original = structuredClone(record);
    const result = scan(record);
    expect(record).toEqual(original);
    expect(result.value).toEqual({
      id: 'TX-1',
      before: { untouched: [1, 2] },
      deep: { list: ['ok', { memo: 'card 411111******1111' }] },
      ['__proto__']: 'kept as a field',
      after: 'ok',
    });
    expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
    expect(Object.keys(result.value as object)).toEqual(['id', 'before', 'deep', '__proto__', 'after']);
    expect(result.secretFields).toEqual(['deep.cvv']);
  });
});
