import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findCardNumbers, maskCardNumbers } from '#contracts/card-data.ts';
import { isCardSecretField } from '#contracts/card-secrets.ts';

// Test numbers the card networks and payment processors publish for testing.
const testCards: [string, string][] = [
  ['4111111111111111', 'Visa'],
  ['4012888888881881', 'Visa'],
  ['4222222222222', 'Visa'],
  ['4000000000000000006', 'Visa'],
  ['5555555555554444', 'Mastercard'],
  ['5105105105105100', 'Mastercard'],
  ['2223000048400011', 'Mastercard'],
  ['378282246310005', 'American Express'],
  ['371449635398431', 'American Express'],
  ['6011111111111117', 'Discover'],
  ['6011000990139424', 'Discover'],
  ['6445644564456445', 'Discover'],
  ['3530111333300000', 'JCB'],
  ['3566002020360505', 'JCB'],
  ['30569309025904', 'Diners Club'],
  ['38520000023237', 'Diners Club'],
  ['6200000000000005', 'UnionPay'],
  ['6212345678901265', 'UnionPay'],
  ['6759649826438453', 'Maestro'],
  ['5018000000000009', 'Maestro'],
];

const spaced = (digits: string) => digits.replace(/(\d{4})(?=\d)/g, '$1 ');
const dashed = (digits: string) => digits.replace(/(\d{4})(?=\d)/g, '$1-');

describe('card-data detector', () => {
  it.each(testCards)('finds %s and names its brand (%s), together, spaced and dashed', (digits, brand) => {
    for (const written of [digits, spaced(digits), dashed(digits)]) {
      expect(findCardNumbers(`ref: ${written}.`)).toEqual([{ start: 5, end: 5 + written.length, digits, brand }]);
    }
  });

  it('finds a card number written next to other digit groups or inside other text', () => {
    expect(findCardNumbers('4111 1111 1111 1111 2026').map((m) => m.digits)).toEqual(['4111111111111111']);
    expect(findCardNumbers('12 4111111111111111').map((m) => m.digits)).toEqual(['4111111111111111']);
    expect(findCardNumbers('pan=5555555555554444&cvv=1').map((m) => m.digits)).toEqual(['5555555555554444']);
    expect(findCardNumbers('4111111111111111,6011-1111-1111-1117').map((m) => m.brand)).toEqual(['Visa', 'Discover']);
  });

  it.each([
    ['a Luhn-invalid 16-digit number', '4111111111111112'],
    ['12 digits', '411111111111'],
    ['20 unbroken digits', '41111111111111111111'],
    ['a card number inside a longer unbroken digit run', '941111111111111111119'],
    ['a date', '2026-03-01'],
    ['an RFC 3339 timestamp', '2026-03-01T12:00:06.120Z'],
    ['epoch milliseconds that pass Luhn', '1772366406000'],
    ['a compact timestamp that passes Luhn', '20260301120008'],
    ['a decimal amount', '125000000.00'],
    ['a phone number', '+44 20 7946 0958'],
    ['a German IBAN', 'DE89 3704 0044 0532 0130 00'],
    ['a French IBAN', 'FR14 2004 1010 0505 0001 3M02 606'],
    ['double separators', '4111  1111  1111  1111'],
  ])('does not take %s for a card number', (_, text) => {
    expect(findCardNumbers(text)).toEqual([]);
  });

  it('finds every card number however its digits are grouped, in any text around it', () => {
    // Text around the number ends in neither a digit nor a separator, so the number is its own run.
    const around = fc.string({ unit: fc.constantFrom('a', 'Z', '.', ',', ':', '\n', 'é', '€', '0', '7', ' ', '-'), maxLength: 40 });
    const edge = fc.constantFrom('', 'x', '. ', '=');
    const written = fc.record({
      card: fc.constantFrom(...testCards.map(([digits]) => digits)),
      // After each digit: nothing, or one space or dash (groups of any size).
      separators: fc.array(fc.constantFrom('', '', '', ' ', '-'), { minLength: 19, maxLength: 19 }),
    });
    fc.assert(
      fc.property(around, edge, written, edge, around, (before, open, { card, separators }, close, after) => {
        const number = [...card].map((digit, index) => (index < card.length - 1 ? digit + separators[index] : digit)).join('');
        const text = `${before}${open || 'x'}${number}${close || 'x'}${after}`;
        expect(findCardNumbers(text).map((match) => match.digits)).toContain(card);
        expect(maskCardNumbers(text)).not.toContain(number);
      }),
    );
  });

  it('masks to the first six and last four digits, whatever the separators', () => {
    expect(maskCardNumbers('pan=4111111111111111 not json')).toBe('pan=411111******1111 not json');
    expect(maskCardNumbers('4111 1111 1111 1111 / 6011-1111-1111-1117')).toBe('411111******1111 / 601111******1117');
    expect(maskCardNumbers('no card here: 2026-03-01')).toBe('no card here: 2026-03-01');
  });

  it('masks again when the digits kept form a new card number with their neighbours', () => {
    // The last four kept ("1111") and the digits after them could pass Luhn together: the result holds no card number.
    for (let suffix = 100000000; suffix < 100000030; suffix++) {
      const masked = maskCardNumbers(`4111 1111 1111 1111 ${suffix}`);
      expect(findCardNumbers(masked)).toEqual([]);
    }
  });

  it('reads a huge string in linear time', () => {
    // Half a million digit groups joined by single spaces: one run to read, none of it a card number.
    const huge = `${'7 '.repeat(500_000)}card 4111111111111111 end${' 9'.repeat(500_000)}`;
    const started = performance.now();
    expect(findCardNumbers(huge).map((m) => m.digits)).toEqual(['4111111111111111']);
    expect(findCardNumbers('9'.repeat(2_000_000))).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('card secrets', () => {
  it.each(['cvv', 'CVV2', 'cvc', 'cvc2', 'cid', 'securityCode', 'card_security_code', 'cardSecurityCode', 'pin', 'PIN', 'pinBlock', 'cardCvv', 'customer-cvc2'])(
    'knows %s for a card verification value or PIN',
    (name) => {
      expect(isCardSecretField(name)).toBe(true);
    },
  );
  it.each(['shipping', 'pinned', 'spinner', 'mapping', 'cardNumber', 'city', 'acid', 'accountId'])('leaves %s alone', (name) => {
    expect(isCardSecretField(name)).toBe(false);
  });
});
