import type { SourceContract } from './contract.ts';
import { isSealedCard, protectCardNumber } from './rules/card.ts';

/**
 * Replaces every clear card number in the record's card fields by its protected form.
 * Only a string is a card number from a producer; protection is the platform's own
 * work and is never taken from input. A string that is not a plausible card number is
 * left for validation to reject, but never kept in clear: its last four characters stay.
 * Anything else is left as it is, for cardFieldProblems to judge.
 */
export function protectRecord(contract: SourceContract, record: Record<string, unknown>, tokenKey: string): Record<string, unknown> {
  if (contract.cardFields.length === 0) return record;
  const protectedRecord = { ...record };
  for (const field of contract.cardFields) {
    const value = record[field];
    if (typeof value !== 'string') continue;
    protectedRecord[field] = protectCardNumber(value, tokenKey) ?? { invalid: `…${value.slice(-4)}` };
  }
  return protectedRecord;
}

export const clearCardOnly = 'must be the card number as a string; protected forms are computed by the platform, never accepted from a producer';

/**
 * Card fields a producer filled with something other than a string (checked at ingest,
 * before protection): an object that looks protected, a number, an array.
 */
export function unprotectableCardFields(contract: SourceContract, record: Record<string, unknown>): string[] {
  return contract.cardFields.filter((field) => record[field] !== undefined && record[field] !== null && typeof record[field] !== 'string');
}

/**
 * Card fields of a record read from the topic that are neither absent, a clear string
 * (validation protects it) nor a protected card sealed with the platform's key: a
 * protected-looking object a producer wrote to the topic itself is forged.
 */
export function unsealedCardFields(contract: SourceContract, record: Record<string, unknown>, tokenKey: string): string[] {
  return contract.cardFields.filter((field) => {
    const value = record[field];
    if (value === undefined || value === null || typeof value === 'string' || isInvalidMarker(value)) return false;
    return !isSealedCard(value, tokenKey);
  });
}

/** What protectRecord leaves of a string that is no card number; the contract rejects it. */
const isInvalidMarker = (value: unknown) => typeof value === 'object' && value !== null && Object.keys(value).length === 1 && 'invalid' in value;
