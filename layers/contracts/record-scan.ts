import { type CardBrand, findCardNumbers, maskCardNumbers } from './card-data.ts';
import { isCardSecretField } from './card-secrets.ts';
import type { SourceContract } from './contract.ts';
import type { RecordLimits } from './record-limits.ts';
import { protectCardNumber } from './rules/card.ts';

/** A card number found outside the contract's card fields. */
export interface CardNumberFinding {
  /** Dotted path of the field, card numbers in it masked. */
  path: string;
  brand: CardBrand;
  /** Found in one of the contract's long-number fields: replaced by its token, the record kept and flagged. */
  tokenised: boolean;
}

export interface RecordScan {
  /** The value with every card number masked (or tokenised) and every card secret field left out. */
  value: unknown;
  cardNumbers: CardNumberFinding[];
  /** Paths of card verification values and PINs, left out of `value`. */
  secretFields: string[];
  /** Deeper than the limit; what lies below it is left out of `value`. */
  tooDeep: boolean;
  /** Object fields and array elements at every depth. */
  fields: number;
}

/** Paths are for reasons and log lines: short, and card numbers in field names masked. */
const maxPathLength = 200;

/** Marks what lies below the depth limit in a scanned value. */
export const tooDeepMarker = '[deeper than the nesting limit: left out]';

/**
 * Walks every string of a record, field names included, at any depth: masks card
 * numbers, leaves out card secrets, counts fields and depth. Run on a record whose card
 * fields are already protected (protectRecord), so what it finds lies outside them.
 * Recursion stops at the depth limit, so no record can exhaust the stack.
 */
export function scanRecord(value: unknown, contract: SourceContract, limits: RecordLimits, tokenKey: string): RecordScan {
  const scan: RecordScan = { value: undefined, cardNumbers: [], secretFields: [], tooDeep: false, fields: 0 };

  const found = (path: string, text: string, tokenised: boolean) => {
    for (const match of findCardNumbers(text)) scan.cardNumbers.push({ path: path.slice(0, maxPathLength), brand: match.brand, tokenised });
  };

  const walkString = (text: string, path: string, topField: string | undefined): string => {
    if (findCardNumbers(text).length === 0) return text;
    const tokenise = topField !== undefined && contract.longNumberFields.includes(topField);
    found(path, text, tokenise);
    return (tokenise && protectCardNumber(text, tokenKey)?.token) || maskCardNumbers(text);
  };

  const walk = (node: unknown, path: string, depth: number, topField: string | undefined): unknown => {
    if (typeof node === 'string') return walkString(node, path, topField);
    // A JSON number prints its digits as they are: a whole number of 13 digits or more, and
    // the fraction of a small one too (0.4111111111111111), so both are scanned as text.
    // Whole numbers under 13 digits, nearly all, cannot hold one.
    if (typeof node === 'number') {
      if (Number.isSafeInteger(node) && Math.abs(node) < 1e12) return node;
      const text = String(node);
      return findCardNumbers(text).length > 0 ? walkString(text, path, topField) : node;
    }
    if (node === null || typeof node !== 'object') return node;
    if (depth > limits.maxDepth) {
      scan.tooDeep = true;
      return tooDeepMarker;
    }
    // Copy on write: nearly every record holds nothing to mask or leave out, and then the
    // input is returned as it is. The input itself is never changed.
    if (Array.isArray(node)) {
      scan.fields += node.length;
      let copy: unknown[] | undefined;
      for (let index = 0; index < node.length; index++) {
        const item: unknown = node[index];
        const scanned = walk(item, join(path, String(index)), depth + 1, undefined);
        if (copy === undefined && scanned !== item) copy = node.slice(0, index);
        copy?.push(scanned);
      }
      return copy ?? node;
    }
    const fields = node as Record<string, unknown>;
    const names = Object.keys(fields);
    let copy: Record<string, unknown> | undefined;
    for (let index = 0; index < names.length; index++) {
      const name = names[index]!;
      const item = fields[name];
      scan.fields += 1;
      const maskedName = findCardNumbers(name).length === 0 ? name : maskCardNumbers(name);
      const fieldPath = join(path, maskedName);
      if (maskedName !== name) found(fieldPath, name, false);
      if (isCardSecretField(name)) {
        scan.secretFields.push(fieldPath.slice(0, maxPathLength));
        copy ??= fieldsBefore(fields, names, index);
        continue;
      }
      const scanned = walk(item, fieldPath, depth + 1, depth === 1 ? name : undefined);
      if (copy === undefined && (scanned !== item || maskedName !== name)) copy = fieldsBefore(fields, names, index);
      if (copy) setField(copy, maskedName, scanned);
    }
    return copy ?? node;
  };

  scan.value = walk(value, '', 1, undefined);
  return scan;
}

const join = (path: string, name: string) => (path === '' ? name : `${path}.${name}`);

/** A new object with the first `count` fields of one being copied. */
function fieldsBefore(fields: Record<string, unknown>, names: string[], count: number): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (let index = 0; index < count; index++) setField(copy, names[index]!, fields[names[index]!]);
  return copy;
}

function setField(copy: Record<string, unknown>, name: string, value: unknown): void {
  // Assigning "__proto__" would set the copy's prototype and drop the field unseen.
  if (name === '__proto__') Object.defineProperty(copy, name, { value, enumerable: true, writable: true, configurable: true });
  else copy[name] = value;
}
