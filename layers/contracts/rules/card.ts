import { createHmac, timingSafeEqual } from 'node:crypto';

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
  /**
   * Keyed MAC over the three fields above: only the platform, which holds the card-token
   * key, can make one, so validation tells a card ingest protected from a protected-looking
   * object a producer wrote to the topic itself.
   */
  seal: string;
}

const panPattern = /^\d{12,19}$/;

/** The first six and last four digits, the rest masked: the most of a card number that may be shown. */
export const maskDigits = (digits: string) => `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`;

const keyedDigest = (key: string, text: string) => createHmac('sha256', key).update(text).digest('base64url');

// The token hashes digits only; the seal's input starts with a letter, so the two never share an input.
const sealOf = (card: Omit<ProtectedCard, 'seal'>, key: string) => keyedDigest(key, `seal\n${card.masked}\n${card.token}\n${card.luhnValid}`);

/** Protects a clear card number; returns undefined when the value is not a plausible PAN. */
export function protectCardNumber(value: string, tokenKey: string): ProtectedCard | undefined {
  const digits = value.replace(/[ -]/g, '');
  if (!panPattern.test(digits)) return undefined;
  const card = {
    masked: maskDigits(digits),
    token: `tok_${keyedDigest(tokenKey, digits).slice(0, 32)}`,
    luhnValid: passesLuhn(digits),
  };
  return { ...card, seal: sealOf(card, tokenKey) };
}

/** Whether a value is a protected card whose seal was made with this key. */
export function isSealedCard(value: unknown, tokenKey: string): value is ProtectedCard {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const { masked, token, luhnValid, seal } = value as Record<string, unknown>;
  if (typeof masked !== 'string' || typeof token !== 'string' || typeof luhnValid !== 'boolean' || typeof seal !== 'string') return false;
  const expected = Buffer.from(sealOf({ masked, token, luhnValid }, tokenKey));
  const given = Buffer.from(seal);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
