import { minorUnits } from './currency.ts';

const decimalPattern = /^(0|[1-9]\d{0,17})(\.\d{1,6})?$/;

/**
 * Checks a money amount given as a decimal string and writes it with exactly the
 * currency's minor units ("12.5" USD -> "12.50"). Amounts are never floats: a
 * JSON number is rejected by the schema before it gets here.
 */
export function normaliseAmount(amount: string, currency: string): { ok: true; value: string } | { ok: false; reason: string } {
  if (!decimalPattern.test(amount)) {
    return { ok: false, reason: 'must be a non-negative decimal string such as "125.40"' };
  }
  const places = minorUnits(currency);
  if (places === undefined) return { ok: false, reason: `unknown currency ${currency}` };
  const [whole = '0', fraction = ''] = amount.split('.');
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > places) {
    return { ok: false, reason: `has more decimal places than ${currency} allows (${places})` };
  }
  return { ok: true, value: places === 0 ? whole : `${whole}.${significant.padEnd(places, '0')}` };
}
