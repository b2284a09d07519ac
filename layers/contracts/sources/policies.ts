import * as z from 'zod';
import { defineContract } from '../contract.ts';
import { calendarDate, currencyCode, decimalString, identifier, normaliseAmounts, utcTimestamp } from '../fields.ts';

/** Insurance policies: one row per policy, the latest version wins. */
export const policySchema = z
  .strictObject({
    policyId: identifier,
    policyholderId: identifier,
    product: z.enum(['motor', 'home', 'life', 'travel', 'health']),
    status: z.enum(['quoted', 'active', 'lapsed', 'cancelled']),
    premium: decimalString,
    sumInsured: decimalString,
    currency: currencyCode,
    startDate: calendarDate,
    endDate: calendarDate,
    updatedAt: utcTimestamp,
  })
  .transform((record, ctx) => {
    const amounts = normaliseAmounts(record, ['premium', 'sumInsured'], record.currency, ctx);
    if (record.endDate <= record.startDate) {
      ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'endDate must be after startDate' });
    }
    return { ...record, ...amounts };
  });

export type Policy = z.output<typeof policySchema>;

export default defineContract({
  source: 'policies',
  version: 1,
  description: 'Insurance policies',
  schema: policySchema,
  businessKey: 'policyId',
  eventTimeField: 'updatedAt',
  cardFields: [],
  decimalFields: ['premium', 'sumInsured'],
  derivedFields: [],
  undeclaredFields: 'keep-scalars',
  longNumberFields: [],
});
