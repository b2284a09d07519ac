import * as z from 'zod';
import type { ProtectedCard } from './rules/card.ts';
import { isCurrencyCode } from './rules/currency.ts';
import { normaliseAmount } from './rules/money.ts';
import { isCalendarDate, toUtcTimestamp } from './rules/time.ts';

/** Field types shared by the data contracts; each carries a real-world rule. */

export const identifier = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9._:-]+$/, 'must be letters, digits, . _ : -');

export const currencyCode = z
  .string()
  .refine(isCurrencyCode, { message: 'must be an active ISO 4217 currency code' })
  .meta({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code', examples: ['EUR'] });

/** Money travels as a decimal string; a JSON number is rejected outright (floats lose cents). */
export const decimalString = z
  .string({ error: 'must be a decimal string such as "125.40", not a number' })
  .meta({ pattern: '^(0|[1-9][0-9]*)(\\.[0-9]+)?$', description: 'Non-negative amount as a decimal string, at most the currency\'s minor units', examples: ['125.40'] });

export const utcTimestamp = z.string().meta({ format: 'date-time', description: 'RFC 3339 timestamp with offset' }).transform((value, ctx) => {
  const utc = toUtcTimestamp(value);
  if (utc === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be an RFC 3339 timestamp with an offset, e.g. 2026-03-01T12:00:00Z' });
    return z.NEVER;
  }
  return utc;
});

export const calendarDate = z
  .string()
  .refine(isCalendarDate, { message: 'must be a calendar date YYYY-MM-DD' })
  .meta({ format: 'date' });

/** A card number as the contract sees it: protected by the platform (protectRecord), its seal checked before. */
export const protectedCard = z
  .object({ masked: z.string().regex(/^\d{6}\*+\d{4}$/), token: z.string().startsWith('tok_'), luhnValid: z.boolean(), seal: z.string() }, {
    error: 'must be a card number (12 to 19 digits)',
  })
  .refine((card) => card.luhnValid, { message: 'card number fails the Luhn check' })
  .transform(({ masked, token }): Pick<ProtectedCard, 'masked' | 'token'> => ({ masked, token }));

/**
 * Adds an issue for each amount that does not fit its currency and returns the
 * amounts written with the currency's minor units.
 */
export function normaliseAmounts<T extends Record<string, unknown>>(
  record: T,
  fields: readonly (keyof T & string)[],
  currency: string,
  ctx: z.RefinementCtx,
): Partial<Record<keyof T, string>> {
  const normalised: Partial<Record<keyof T, string>> = {};
  for (const field of fields) {
    const value = record[field];
    if (typeof value !== 'string') continue;
    const result = normaliseAmount(value, currency);
    if (result.ok) normalised[field] = result.value;
    else ctx.addIssue({ code: 'custom', path: [field], message: `${field} ${result.reason}` });
  }
  return normalised;
}
