import fc from 'fast-check';

// What a careless or hostile producer sends, shared by the property tests of this folder.

/**
 * The oracle, written apart from the platform's detector: join digits separated by one
 * space or dash, then any run of 13 to 19 digits that starts like a payment card
 * (22-27, 3, 4, 50-58, 6) and passes Luhn is a clear card number.
 */
export function clearCardNumbers(text: string): string[] {
  const runs = text.replace(/(?<=\d)[ -](?=\d)/g, '').match(/\d+/g) ?? [];
  return runs.filter((run) => run.length >= 13 && run.length <= 19 && /^(2[2-7]|[346]|5[0-8])/.test(run) && luhn(run));
}

function luhn(digits: string): boolean {
  const sum = [...digits].reverse().reduce((total, char, i) => {
    const doubled = i % 2 === 1 ? Number(char) * 2 : Number(char);
    return total + (doubled > 9 ? doubled - 9 : doubled);
  }, 0);
  return sum % 10 === 0;
}

export const testCards = ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '3530111333300000', '30569309025904', '6200000000000005', '2223000048400011', '4222222222222'];

export const cardNumber = fc
  .tuple(fc.constantFrom(...testCards), fc.constantFrom('', ' ', '-'))
  .map(([digits, separator]) => (separator ? digits.replace(/(\d{4})(?=\d)/g, `$1${separator}`) : digits));

export const hostileString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 4, arbitrary: cardNumber },
  { weight: 3, arbitrary: fc.tuple(fc.string({ maxLength: 8 }), cardNumber, fc.string({ maxLength: 8 })).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9 -]{10,40}$/) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1_000, max: 200_000 }), cardNumber).map(([size, card]) => `${'x'.repeat(size)} ${card}`) },
);

export const fieldName = fc.oneof(
  fc.constantFrom('memo', 'merchant ref', 'Status', 'status_note', 'cvv', 'CVC2', 'pin', 'securityCode', 'card_security_code', 'accountId', '__proto__', 'record', 'cardmasked', 'note_1', '4111 1111 1111 1111'),
  fc.string({ maxLength: 12 }),
  cardNumber,
);

export const leaf = fc.oneof(hostileString, fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom(4111111111111111, 6011111111111117));

export const nested = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fieldName, tie('value'), { maxKeys: 3 })),
})).value;

/** Nested `levels` deep: beyond the limit of 16 from about the middle of the range. */
export const deepValue = fc.tuple(fc.integer({ min: 1, max: 30 }), leaf).map(([levels, value]) => {
  let deep: unknown = value;
  for (let i = 0; i < levels; i++) deep = i % 2 ? [deep] : { level: deep };
  return deep;
});

export const cardField = fc.oneof(
  cardNumber,
  fc.constant('4111111111111112'),
  fc.record({ masked: cardNumber, token: fc.constant('tok_forged'), luhnValid: fc.constant(true) }),
  fc.constant(4111111111111111),
);

export const baseTransaction = fc.integer({ min: 1, max: 1_000_000 }).map((n) => ({
  transactionId: `TX-${n}`, accountId: 'ACC-1', type: 'debit', status: 'posted', amount: '10.50', currency: 'EUR',
  occurredAt: '2026-03-01T12:00:00Z', updatedAt: '2026-03-01T12:00:00Z',
}));

export const objectRecord = fc
  .tuple(
    baseTransaction,
    fc.dictionary(fieldName, fc.oneof(leaf, nested, deepValue), { maxKeys: 4 }),
    fc.option(cardField, { nil: undefined }),
    fc.option(hostileString, { nil: undefined }),
  )
  .map(([base, extra, card, accountId]) => ({
    ...base,
    ...extra,
    ...(card === undefined ? {} : { cardNumber: card }),
    ...(accountId === undefined ? {} : { accountId }),
  }));

export const hostileRecord = fc.oneof({ weight: 8, arbitrary: objectRecord }, { weight: 1, arbitrary: leaf }, { weight: 1, arbitrary: fc.array(leaf, { maxLength: 3 }) });
