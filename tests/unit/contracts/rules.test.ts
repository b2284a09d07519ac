import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSealedCard, passesLuhn, protectCardNumber } from '#contracts/rules/card.ts';
import { isCurrencyCode, minorUnits } from '#contracts/rules/currency.ts';
import { normaliseAmount } from '#contracts/rules/money.ts';
import { isCalendarDate, toUtcTimestamp } from '#contracts/rules/time.ts';

describe('Luhn', () => {
  it('accepts known-valid test card numbers', () => {
    expect(passesLuhn('4111111111111111')).toBe(true);
    expect(passesLuhn('5555555555554444')).toBe(true);
    expect(passesLuhn('378282246310005')).toBe(true);
  });
  it('rejects a number with one digit changed', () => {
    expect(passesLuhn('4111111111111112')).toBe(false);
  });
});

describe('card protection', () => {
  it('keeps the first six and last four digits and a keyed token, never the clear number', () => {
    const card = protectCardNumber('4111 1111 1111 1111', 'key-0123456789abcdef')!;
    expect(card.masked).toBe('411111******1111');
    expect(card.token).toMatch(/^tok_[A-Za-z0-9_-]{32}$/);
    expect(JSON.stringify(card)).not.toContain('4111111111111111');
    expect(card.luhnValid).toBe(true);
  });
  it('gives equal tokens for equal cards and different tokens under another key', () => {
    const a = protectCardNumber('4111111111111111', 'key-0123456789abcdef')!;
    const b = protectCardNumber('4111-1111-1111-1111', 'key-0123456789abcdef')!;
    const c = protectCardNumber('4111111111111111', 'another-key-0123456789')!;
    expect(a.token).toBe(b.token);
    expect(a.token).not.toBe(c.token);
  });
  it('marks a Luhn-invalid number and refuses non-numbers', () => {
    expect(protectCardNumber('4111111111111112', 'key-0123456789abcdef')!.luhnValid).toBe(false);
    expect(protectCardNumber('not a card', 'key-0123456789abcdef')).toBeUndefined();
  });
  it('seals the protected form with the key, so a forged or altered one is told apart', () => {
    const card = protectCardNumber('4111111111111111', 'key-0123456789abcdef')!;
    expect(isSealedCard(card, 'key-0123456789abcdef')).toBe(true);
    expect(isSealedCard(card, 'another-key-0123456789')).toBe(false);
    expect(isSealedCard({ ...card, token: 'tok_chosen-by-the-producer' }, 'key-0123456789abcdef')).toBe(false);
    expect(isSealedCard({ ...card, luhnValid: false }, 'key-0123456789abcdef')).toBe(false);
    expect(isSealedCard({ masked: card.masked, token: card.token, luhnValid: true }, 'key-0123456789abcdef')).toBe(false);
  });
});

describe('currencies and money', () => {
  it('knows ISO 4217 codes and their minor units', () => {
    expect(isCurrencyCode('EUR')).toBe(true);
    expect(isCurrencyCode('XYZ')).toBe(false);
    expect(minorUnits('JPY')).toBe(0);
    expect(minorUnits('BHD')).toBe(3);
  });
  it('writes amounts with exactly the currency minor units', () => {
    expect(normaliseAmount('12.5', 'USD')).toEqual({ ok: true, value: '12.50' });
    expect(normaliseAmount('1200', 'JPY')).toEqual({ ok: true, value: '1200' });
    expect(normaliseAmount('1.2340', 'BHD')).toEqual({ ok: true, value: '1.234' });
  });
  it('rejects more decimals than the currency allows, negatives and exponent notation', () => {
    expect(normaliseAmount('1.005', 'USD')).toMatchObject({ ok: false, reason: expect.stringContaining('decimal places') });
    expect(normaliseAmount('-5.00', 'USD')).toMatchObject({ ok: false });
    expect(normaliseAmount('1e3', 'USD')).toMatchObject({ ok: false });
    expect(normaliseAmount('007', 'USD')).toMatchObject({ ok: false });
  });
});

describe('timestamps and dates', () => {
  it('converts RFC 3339 timestamps with offsets to UTC', () => {
    expect(toUtcTimestamp('2026-03-01T12:00:00+01:00')).toBe('2026-03-01T11:00:00.000Z');
    expect(toUtcTimestamp('2026-03-01T12:00:00.123456Z')).toBe('2026-03-01T12:00:00.123Z');
  });
  it('rejects timestamps without offset and impossible dates', () => {
    expect(toUtcTimestamp('2026-03-01T12:00:00')).toBeUndefined();
    expect(toUtcTimestamp('2026-02-30T12:00:00Z')).toBeUndefined();
    expect(toUtcTimestamp('2026-03-01 12:00')).toBeUndefined();
  });
  it('judges a timestamp already in UTC with milliseconds as it judges the same instant written with +00:00', () => {
    const twoDigits = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'));
    const year = fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1999, max: 2101 })).map((n) => String(n).padStart(4, '0'));
    const millis = fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, '0'));
    fc.assert(
      fc.property(year, twoDigits, twoDigits, twoDigits, twoDigits, twoDigits, millis, (y, mo, d, h, mi, s, ms) => {
        const utc = `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`;
        const withOffset = `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}+00:00`;
        expect(toUtcTimestamp(utc)).toBe(toUtcTimestamp(withOffset));
      }),
      { numRuns: 20_000 },
    );
    expect(toUtcTimestamp('2024-02-29T23:59:59.999Z')).toBe('2024-02-29T23:59:59.999Z');
    expect(toUtcTimestamp('2026-02-29T00:00:00.000Z')).toBeUndefined();
    expect(toUtcTimestamp('2026-01-01T24:00:00.000Z')).toBeUndefined();
  });

  it('accepts real calendar dates only', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
  });
});
