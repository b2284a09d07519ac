import { type CardBrand, findCardNumbers, maskCardNumbers } from '#contracts/card-data.ts';
import { maskDigits } from '#contracts/rules/card.ts';

/** A clear card number found somewhere; only its masked form is ever kept or printed. */
export interface Finding {
  /** Where: `s3://bucket/key line 3 field note`, `tables/raw/x/part-0.parquet row 2 column note`, `topic ingest.x partition 0 offset 7 value`. */
  location: string;
  brand: CardBrand;
  masked: string;
}

/** JSON numbers of fewer digits cannot hold a card number. */
const minCardDigits = 13;

export interface ScanScope {
  /**
   * Text Spark and Delta Lake wrote themselves (their data files' names, their logs): the
   * UUIDs they name files and transactions with are ids. Digits of a UUID joined by its
   * dashes ("…-4796-9480-…") pass for a card number about once in a few thousand ids, so
   * a match that lies inside a UUID is not reported there. Data is never read this way:
   * whatever the log repeats of the data (column statistics) is also in the data files.
   */
  sparkIds?: boolean;
}

const uuidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Whether [start, end) lies inside a UUID of the text. */
function insideUuid(text: string, start: number, end: number): boolean {
  for (const uuid of text.matchAll(uuidPattern)) if (uuid.index <= start && end <= uuid.index + uuid[0].length) return true;
  return false;
}

/** Card numbers in one text, with where the text was (a key or field name in the location is user text: masked too). */
export function findingsInText(text: string, location: string, scope: ScanScope = {}): Finding[] {
  return findCardNumbers(text)
    .filter((match) => !(scope.sparkIds && insideUuid(text, match.start, match.end)))
    .map((match) => ({ location: maskCardNumbers(location), brand: match.brand, masked: maskDigits(match.digits) }));
}

const join = (path: string, name: string) => (path === '' ? name : `${path}.${name}`);

/**
 * Card numbers in a decoded value (a JSON line, a Parquet row): every string, field name
 * and long number at any depth, each finding located by its field path. Binary values are
 * read as UTF-8 text, since Spark writes strings without a logical type in some tables.
 */
export function findingsInValue(value: unknown, location: string, path = '', scope: ScanScope = {}): Finding[] {
  const at = () => (path === '' ? location : `${location} field ${path}`);
  if (typeof value === 'string') return findingsInText(value, at(), scope);
  if (typeof value === 'number' || typeof value === 'bigint') {
    const digits = String(value);
    return digits.length >= minCardDigits ? findingsInText(digits, at()) : [];
  }
  if (value instanceof Uint8Array) return findingsInText(new TextDecoder().decode(value), at(), scope);
  if (value === null || typeof value !== 'object' || value instanceof Date) return [];
  if (Array.isArray(value)) return value.flatMap((item, index) => findingsInValue(item, location, join(path, String(index)), scope));
  const findings: Finding[] = [];
  for (const [name, item] of Object.entries(value)) {
    const fieldPath = join(path, name);
    findings.push(...findingsInText(name, `${location} field name ${fieldPath}`, scope), ...findingsInValue(item, location, fieldPath, scope));
  }
  return findings;
}

/**
 * Card numbers in one line of a text object. A JSON line is walked so that each finding
 * names its field; any other line (CSV, text, a JSON line that does not parse) is read as
 * text. A line without a card number, nearly all, is read once.
 */
export function findingsInLine(line: string, location: string, scope: ScanScope = {}): Finding[] {
  if (findCardNumbers(line).length === 0) return [];
  try {
    const parsed: unknown = JSON.parse(line);
    const findings = findingsInValue(parsed, location, '', scope);
    // What the line's text shows but none of its values holds (digits joined across JSON syntax) is still reported.
    return findings.length > 0 ? findings : findingsInText(line, location, scope);
  } catch {
    return findingsInText(line, location, scope);
  }
}

/** One line per finding: the location, then the brand and the masked number. */
export const formatFinding = (finding: Finding) => `${finding.location}: ${finding.brand} ${finding.masked}`;
