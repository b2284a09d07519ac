import { protectCardNumber } from './rules/card.ts';
import type { SourceContract } from './contract.ts';

/**
 * Replaces every clear card number in the record's card fields by its protected
 * form. A value that is not a plausible card number is left for validation to
 * reject, but never kept in clear: it is masked to its last four characters.
 */
export function protectRecord(
  contract: SourceContract,
  record: Record<string, unknown>,
  tokenKey: string,
): Record<string, unknown> {
  if (contract.cardFields.length === 0) return record;
  const protectedRecord = { ...record };
  for (const field of contract.cardFields) {
    const value = record[field];
    if (value === undefined || value === null) continue;
    const card = typeof value === 'string' ? protectCardNumber(value, tokenKey) : undefined;
    protectedRecord[field] = card ?? { invalid: typeof value === 'string' ? `…${value.slice(-4)}` : typeof value };
  }
  return protectedRecord;
}
