import * as z from 'zod';
import { defineContract } from '../contract.ts';
import { calendarDate, currencyCode, decimalString, identifier, normaliseAmounts, utcTimestamp } from '../fields.ts';

/** Insurance claims against a policy. */
export const claimSchema = z
  .strictObject({
    claimId: identifier,
    policyId: identifier,
    lossType: z.enum(['collision', 'theft', 'fire', 'water', 'injury', 'medical', 'travel-delay', 'other']),
    status: z.enum(['reported', 'assessing', 'approved', 'rejected', 'paid']),
    lossDate: calendarDate,
    reportedAt: utcTimestamp,
    claimedAmount: decimalString,
    paidAmount: decimalString.optional(),
    currency: currencyCode,
    updatedAt: utcTimestamp,
  })
  .transform((record, ctx) => {
    const amounts = normaliseAmounts(record, ['claimedAmount', 'paidAmount'], record.currency, ctx);
    // A claim cannot be reported before the loss it is about (dates compared in UTC).
    if (record.reportedAt.slice(0, 10) < record.lossDate) {
      ctx.addIssue({ code: 'custom', path: ['reportedAt'], message: 'claim reported before its loss date' });
    }
    if (record.status === 'paid' && record.paidAmount === undefined) {
      ctx.addIssue({ code: 'custom', path: ['paidAmount'], message: 'a paid claim needs paidAmount' });
    }
    return { ...record, ...amounts, paidAmount: amounts.paidAmount ?? null };
  });

export type Claim = z.output<typeof claimSchema>;

export default defineContract({
  source: 'claims',
  version: 1,
  description: 'Insurance claims',
  schema: claimSchema,
  businessKey: 'claimId',
  eventTimeField: 'updatedAt',
  cardFields: [],
  decimalFields: ['claimedAmount', 'paidAmount'],
  derivedFields: [],
  undeclaredFields: 'keep-scalars',
  longNumberFields: [],
});
