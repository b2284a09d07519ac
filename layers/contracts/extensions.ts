import * as z from 'zod';
import type { SourceContract } from './contract.ts';
import { landingLineFields, type QuarantineReason, quarantineLineFields } from './lake-lines.ts';

/**
 * Fields a contract does not declare. Under `undeclaredFields: 'keep-scalars'` such a
 * field is kept, as text, only when all of these hold; otherwise the record is
 * quarantined with the rule it broke. Under `reject` every undeclared field quarantines
 * the record.
 *
 * - its name is lower-case letters, digits and "_", starting with a letter, at most 64
 *   characters: a column name Delta and Spark SQL take without quoting. Lower case only,
 *   because Spark resolves columns without case: `merchantRef` in one record and
 *   `merchantref` in another would be two columns that no MERGE can tell apart;
 * - it does not match, ignoring case, a declared or derived field of the contract or a
 *   field of the lake's landing and quarantine lines;
 * - its value is a string, a number, a boolean or null; numbers and booleans are kept as
 *   their JSON text, so the column is always a string column whatever producers send;
 * - the value is at most 1 KB of UTF-8, and a record has at most 32 such fields.
 */
export const extensionRules = { namePattern: /^[a-z][a-z0-9_]{0,63}$/, maxFields: 32, maxValueBytes: 1024 } as const;

/** Fields a producer may send for this contract, `op` included. */
export function declaredFields(contract: SourceContract): ReadonlySet<string> {
  let fields = declaredFieldsByContract.get(contract);
  if (!fields) {
    const schema = z.toJSONSchema(contract.schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown> };
    fields = new Set([...Object.keys(schema.properties ?? {}), 'op']);
    declaredFieldsByContract.set(contract, fields);
  }
  return fields;
}

const declaredFieldsByContract = new WeakMap<SourceContract, ReadonlySet<string>>();

/** Names no undeclared field may take, lower-cased. */
function reservedNames(contract: SourceContract): ReadonlySet<string> {
  let names = reservedNamesByContract.get(contract);
  if (!names) {
    const all = [...declaredFields(contract), ...contract.derivedFields, ...Object.keys(landingLineFields), ...Object.keys(quarantineLineFields)];
    names = new Set(all.map((name) => name.toLowerCase()));
    reservedNamesByContract.set(contract, names);
  }
  return names;
}

const reservedNamesByContract = new WeakMap<SourceContract, ReadonlySet<string>>();

export interface SplitFields {
  /** The contract's own fields, for its (closed) schema: `op` is left out. */
  declared: Record<string, unknown>;
  /** Undeclared fields kept under the policy, values as text. */
  kept: Record<string, string | null>;
  problems: QuarantineReason[];
}

/** Splits a record into its declared fields and the undeclared ones the contract's policy keeps. */
export function splitUndeclaredFields(contract: SourceContract, record: Record<string, unknown>): SplitFields {
  const declaredNames = declaredFields(contract);
  const kept: Record<string, string | null> = {};
  const problems: QuarantineReason[] = [];
  const undeclared: string[] = [];
  const declared: Record<string, unknown> = {};
  for (const name of Object.keys(record)) {
    if (!declaredNames.has(name)) undeclared.push(name);
    else if (name !== 'op') declared[name] = record[name];
  }
  if (undeclared.length === 0) return { declared, kept, problems };
  if (contract.undeclaredFields === 'reject') {
    return { declared, kept, problems: undeclared.map((path) => ({ path, message: `is not a field of the ${contract.source} contract` })) };
  }
  if (undeclared.length > extensionRules.maxFields) {
    problems.push({ path: '', message: `has ${undeclared.length} undeclared fields; at most ${extensionRules.maxFields} are kept` });
  }
  const reserved = reservedNames(contract);
  for (const name of undeclared) {
    const problem = extensionProblem(name, record[name], reserved);
    if (problem) problems.push({ path: name, message: problem });
    else kept[name] = asText(record[name]);
  }
  return { declared, kept, problems };
}

function extensionProblem(name: string, value: unknown, reserved: ReadonlySet<string>): string | undefined {
  if (!extensionRules.namePattern.test(name)) {
    return 'is not a field of the contract, and an extra field needs a name of lower-case letters, digits and "_", starting with a letter, at most 64 characters';
  }
  if (reserved.has(name.toLowerCase())) return 'is not a field of the contract and its name is taken by a field of the contract or of the lake';
  if (value !== null && typeof value === 'object') return 'is an extra field, and an extra field must hold a string, a number, a boolean or null';
  if (typeof value === 'string' && Buffer.byteLength(value) > extensionRules.maxValueBytes) {
    return `is an extra field longer than ${extensionRules.maxValueBytes} bytes`;
  }
  return undefined;
}

const asText = (value: unknown): string | null => (value === null ? null : typeof value === 'string' ? value : JSON.stringify(value));

/** The policy as JSON Schema keywords, for the contract's exported schema and the OpenAPI document. */
export function undeclaredFieldsJsonSchema(contract: SourceContract): Record<string, unknown> {
  if (contract.undeclaredFields === 'reject') return { additionalProperties: false };
  const declared = [...declaredFields(contract)];
  return {
    additionalProperties: { type: ['string', 'number', 'boolean', 'null'], maxLength: extensionRules.maxValueBytes },
    propertyNames: { anyOf: [{ enum: declared }, { pattern: extensionRules.namePattern.source }] },
    maxProperties: declared.length + extensionRules.maxFields,
  };
}
