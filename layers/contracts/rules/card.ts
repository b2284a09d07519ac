import { createHmac } from 'node:crypto';

/** Luhn (mod 10) check over a string of digits. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * A card number after protection: what may be stored and logged. The clear PAN is
 * replaced at the first point the platform sees it (ingest), so no topic, object or
 * log line ever holds it.
 */
export interface ProtectedCard {
  /** First six and last four digits, the rest masked (PCI DSS display rule). */
  masked: string;
  /** Keyed hash of the PAN: equal cards give equal tokens, the PAN cannot be recovered. */
  token: string;
  /** Whether the clear number passed the Luhn check; validation rejects false. */
  luhnValid: boolean;
}

const panPattern = /^\d{12,19}$/;

/** Protects a clear card number; returns undefined when the value is not a plausible PAN. */
export function protectCardNumber(value: string, tokenKey: string): ProtectedCard | undefined {
  const digits = value.replace(/[ -]/g, '');
  if (!panPattern.test(digits)) return undefined;
  return {
    masked: `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`,
    token: `tok_${createHmac('sha256', tokenKey).update(digits).digest('base64url').slice(0, 32)}`,
    luhnValid: passesLuhn(digits),
  };
}

/** Masks anything that looks like a card number inside free text (for logs and quarantine). */
export function maskCardNumbersInText(text: string): string {
  return text.replace(/\b(\d{6})\d{2,9}(\d{4})\b/g, (_, first: string, last: string) => `${first}******${last}`);
}
