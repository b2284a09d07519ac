import { maskDigits, passesLuhn } from './rules/card.ts';

/**
 * The one card-data detector. Every string the platform stores or logs passes through it:
 * record values and field names at any depth, unreadable file lines, Kafka values that
 * are not JSON, parser messages, reasons.
 *
 * What counts as a card number: 13 to 19 digits, written together or in groups joined by
 * single spaces or dashes ("4111 1111 1111 1111", "6011-1111-1111-1117"), that pass the
 * Luhn check and start like a payment card: 22 to 27 (Mastercard's 2-series lies within),
 * 3 (Amex, JCB, Diners), 4 (Visa), 50 to 58 (Mastercard, Maestro) or 6 (Discover,
 * UnionPay, Maestro). The brand is named when the prefix is a known range, but any number
 * in those blocks counts: issuers get new ranges every year, and a missed card number
 * costs more than a masked reference. Numbers starting 0, 1, 7, 8, 9, 20, 21, 28, 29 or
 * 59 are no payment cards; leaving them out spares epoch milliseconds (13 digits from 1)
 * and compact timestamps (20260301120000) that pass Luhn one time in ten.
 *
 * A candidate starts and ends at group boundaries, so a number written next to other
 * groups ("4111 1111 1111 1111 2026") is still found, while digits inside one longer
 * unbroken run (a 20-digit reference) are not a card.
 *
 * Near misses that are not card numbers: Luhn-invalid digits, 12 digits or fewer, 20 or
 * more unbroken digits, dates and timestamps, decimal amounts (a dot ends a group), phone
 * numbers (too few digits), IBANs (letters split them, and the digit runs rarely pass both
 * the prefix and the Luhn check; a field that holds them is declared a long-number field).
 *
 * One pass over the string with character codes, no regular expression: the cost is
 * linear in the length (each group is tried as the start of at most 19 digits).
 */

export type CardBrand = 'Visa' | 'Mastercard' | 'American Express' | 'Discover' | 'JCB' | 'Diners Club' | 'UnionPay' | 'Maestro' | 'unknown brand';

export interface CardNumberMatch {
  /** Index of the first digit in the text. */
  start: number;
  /** Index after the last digit. */
  end: number;
  digits: string;
  brand: CardBrand;
}

const isDigit = (code: number) => code >= 48 && code <= 57;
const isSeparator = (code: number) => code === 32 || code === 45;

const minDigits = 13;
const maxDigits = 19;

/** Whether digits start like a payment card number (see above). */
export function hasCardPrefix(digits: string): boolean {
  const first = digits.charCodeAt(0) - 48;
  const two = first * 10 + digits.charCodeAt(1) - 48;
  return first === 3 || first === 4 || first === 6 || (two >= 22 && two <= 27) || (two >= 50 && two <= 58);
}

/** The brand a card number's issuer prefix belongs to. */
export function cardBrand(digits: string): CardBrand {
  const two = Number(digits.slice(0, 2));
  const three = Number(digits.slice(0, 3));
  const four = Number(digits.slice(0, 4));
  if (digits[0] === '4') return 'Visa';
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return 'Mastercard';
  if (two === 34 || two === 37) return 'American Express';
  if (four === 6011 || two === 65 || (three >= 644 && three <= 649)) return 'Discover';
  if (four >= 3528 && four <= 3589) return 'JCB';
  if (two === 36 || two === 38 || two === 39 || (three >= 300 && three <= 305) || three === 309) return 'Diners Club';
  if (two === 62) return 'UnionPay';
  if (two === 50 || (two >= 56 && two <= 58) || two === 63 || two === 67) return 'Maestro';
  return 'unknown brand';
}

const noMatches: readonly CardNumberMatch[] = Object.freeze([]);

/** What every card number holds: 13 digits, each next to the other or one space or dash apart. */
const candidatePattern = /[0-9](?:[ -]?[0-9]){12}/;

/** Every card number in the text, left to right, not overlapping. */
export function findCardNumbers(text: string): readonly CardNumberMatch[] {
  const length = text.length;
  // Field names, codes, amounts and timestamps are mostly shorter than any card number,
  // and nearly every longer text holds no 13 digits joined by single separators: the
  // regular expression engine finds that out several times faster than the loop below.
  if (length < minDigits || !candidatePattern.test(text)) return noMatches;
  let matches: CardNumberMatch[] | undefined;
  // Group bounds of the current run, flat: start0, end0, start1, end1, ...
  const groups: number[] = [];
  let i = 0;
  while (i < length) {
    if (!isDigit(text.charCodeAt(i))) {
      i++;
      continue;
    }
    groups.length = 0;
    let start = i;
    for (;;) {
      while (i < length && isDigit(text.charCodeAt(i))) i++;
      groups.push(start, i);
      if (i + 1 < length && isSeparator(text.charCodeAt(i)) && isDigit(text.charCodeAt(i + 1))) {
        start = ++i;
        continue;
      }
      break;
    }
    if (i - groups[0]! >= minDigits) matches = matchesInRun(text, groups, matches);
  }
  return matches ?? noMatches;
}

/** From each group on, the longest Luhn-valid span of whole groups with 13 to 19 digits. */
function matchesInRun(text: string, groups: number[], earlier: CardNumberMatch[] | undefined): CardNumberMatch[] | undefined {
  let matches = earlier;
  const count = groups.length / 2;
  let first = 0;
  while (first < count) {
    // No card number starts with 0, 1, 7, 8 or 9: most digit groups end here.
    const firstDigit = text.charCodeAt(groups[2 * first]!) - 48;
    if (firstDigit < 2 || firstDigit > 6) {
      first++;
      continue;
    }
    let digits = '';
    let found: CardNumberMatch | undefined;
    for (let last = first; last < count; last++) {
      if (digits.length + groups[2 * last + 1]! - groups[2 * last]! > maxDigits) break;
      digits += text.slice(groups[2 * last]!, groups[2 * last + 1]!);
      if (digits.length >= minDigits && hasCardPrefix(digits) && passesLuhn(digits)) {
        found = { start: groups[2 * first]!, end: groups[2 * last + 1]!, digits, brand: cardBrand(digits) };
      }
    }
    if (found) {
      matches ??= [];
      matches.push(found);
      while (first < count && groups[2 * first]! < found.end) first++;
    } else {
      first++;
    }
  }
  return matches;
}

/**
 * The text with every card number masked. The digits kept could form a new number with
 * digits next to them, so a text that held one is scanned again until it holds none; a
 * text without card numbers (nearly all) is read once.
 */
export function maskCardNumbers(text: string): string {
  let masked = text;
  for (;;) {
    const matches = findCardNumbers(masked);
    if (matches.length === 0) return masked;
    let result = '';
    let from = 0;
    for (const match of matches) {
      result += masked.slice(from, match.start) + maskDigits(match.digits);
      from = match.end;
    }
    masked = result + masked.slice(from);
  }
}

export const containsCardNumber = (text: string) => findCardNumbers(text).length > 0;
