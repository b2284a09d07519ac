import * as z from 'zod';
import { defineContract } from '../contract.ts';
import { currencyCode, decimalString, identifier, normaliseAmounts, protectedCard, utcTimestamp } from '../fields.ts';

/** Card and account transactions (financial). Updates carry the same id with a newer updatedAt. */
export const transactionSchema = z
  .strictObject({
    transactionId: identifier,
    accountId: identifier,
    type: z.enum(['debit', 'credit', 'refund', 'chargeback']),
    status: z.enum(['pending', 'posted', 'reversed', 'declined']),
    amount: decimalString,
    currency: currencyCode,
    cardNumber: protectedCard.optional(),
    merchantName: z.string().trim().min(1).max(200).optional(),
    merchantCategoryCode: z.string().regex(/^\d{4}$/, 'must be a 4-digit ISO 18245 merchant category code').optional(),
    occurredAt: utcTimestamp,
    updatedAt: utcTimestamp,
  })
  .transform((record, ctx) => {
    const amounts = normaliseAmounts(record, ['amount'], record.currency, ctx);
    if (record.updatedAt < record.occurredAt) {
      ctx.addIssue({ code: 'custom', path: ['updatedAt'], message: 'updatedAt must not be before occurredAt' });
    }
    const { cardNumber, ...rest } = record;
    return {
      ...rest,
      ...amounts,
      cardMasked: cardNumber?.masked ?? null,
      cardToken: cardNumber?.token ?? null,
    };
  });

export type Transaction = z.output<typeof transactionSchema>;

export default defineContract({
  source: 'transactions',
  version: 1,
  description: 'Card and account transactions',
  schema: transactionSchema,
  businessKey: 'transactionId',
  eventTimeField: 'updatedAt',
  cardFields: ['cardNumber'],
  decimalFields: ['amount'],
  derivedFields: ['cardMasked', 'cardToken'],
  undeclaredFields: 'keep-scalars',
  longNumberFields: ['accountId'],
});
