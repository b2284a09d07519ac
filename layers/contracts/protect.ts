import { protectCardNumber } from './rules/card.ts';
import type { SourceContract } from './contract.ts';

/** Already protected upstream (ingest); validation protects again only what is still clear. */
function isProtectedCard(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const card = value as Record<string, unknown>;
  return typeof card.masked === 'string' && typeof card.token === 'string' && typeof card.luhnValid === 'boolean' && !/\d{7,}/.test(card.masked);
}

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
    if (value === undefined || value === null || isProtectedCard(value)) continue;
    const card = typeof value === 'string' ? protectCardNumber(value, tokenKey) : undefined;
    protectedRecord[field] = card ?? { invalid: typeof value === 'string' ? `…${value.slice(-4)}` : typeof value };
  }
  return protectedRecord;
}
