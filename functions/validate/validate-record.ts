import { maskCardNumbers } from '#contracts/card-data.ts';
import { type SourceContract, deleteSchema } from '#contracts/contract.ts';
import { splitUndeclaredFields } from '#contracts/extensions.ts';
import type { QuarantineReason } from '#contracts/lake-lines.ts';
import { clearCardOnly, protectRecord, unsealedCardFields } from '#contracts/protect.ts';
import { type RecordLimits, recordLimits } from '#contracts/record-limits.ts';
import { type CardNumberFinding, scanRecord } from '#contracts/record-scan.ts';
import type { z } from 'zod';

export type RecordProblem = QuarantineReason;

export type RecordVerdict =
  | {
      valid: true;
      op: 'upsert' | 'delete';
      key: string;
      eventTime: string;
      record: Record<string, unknown>;
      /** Card numbers replaced by their token in the contract's long-number fields: kept, and flagged. */
      tokenised: string[];
    }
  | { valid: false; reasons: RecordProblem[]; payload: unknown };

/**
 * Checks one decoded record against its source's contract and normalises it. Whatever
 * reached the topic is checked again as ingest checks it, with the same detector: card
 * fields are protected here when a producer wrote them in clear, and refused when they
 * hold a protected-looking object without the platform's seal; card secrets, card numbers
 * outside card fields (found now, or by ingest: `ingestFindings`) and records over the
 * limits are quarantined. Neither a valid record nor a rejected one carries a clear PAN.
 */
export function validateRecord(
  contract: SourceContract,
  value: unknown,
  cardTokenKey: string,
  ingestFindings: CardNumberFinding[] = [],
  limits: RecordLimits = recordLimits(),
): RecordVerdict {
  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  const reasons: RecordProblem[] = [];
  if (!isObject) reasons.push({ path: '', message: 'record must be a JSON object' });
  const forged = isObject ? unsealedCardFields(contract, value as Record<string, unknown>, cardTokenKey) : [];
  for (const path of forged) reasons.push({ path, message: clearCardOnly });
  const scan = scanRecord(isObject ? protectRecord(contract, value as Record<string, unknown>, cardTokenKey) : value, contract, limits, cardTokenKey);
  for (const path of scan.secretFields) reasons.push({ path, message: 'is a card verification value or PIN, which is never stored in any form; left out' });
  if (scan.tooDeep) reasons.push({ path: '', message: `record is nested deeper than ${limits.maxDepth} levels` });
  if (scan.fields > limits.maxFields) reasons.push({ path: '', message: `record has ${scan.fields} fields and array elements; at most ${limits.maxFields} are accepted` });
  const findings = [...ingestFindings, ...scan.cardNumbers];
  for (const finding of findings) {
    if (!finding.tokenised) reasons.push({ path: finding.path, message: `holds a clear card number (${finding.brand}) outside a card field; masked` });
  }
  if (!isObject || reasons.length > 0) return { valid: false, reasons: masked(reasons), payload: scan.value };

  const record = scan.value as Record<string, unknown>;
  const tokenised = findings.filter((finding) => finding.tokenised).map((finding) => finding.path);
  if (record.op === 'delete') {
    const result = deleteSchema(contract).safeParse(record);
    if (!result.success) return { valid: false, reasons: masked(problemsOf(result.error)), payload: record };
    return verdict(contract, 'delete', result.data, tokenised);
  }
  const { declared, kept, problems } = splitUndeclaredFields(contract, record);
  const result = contract.schema.safeParse(declared);
  if (!result.success) problems.push(...problemsOf(result.error));
  if (!result.success || problems.length > 0) return { valid: false, reasons: masked(problems), payload: record };
  return verdict(contract, 'upsert', { ...result.data, ...kept }, tokenised);
}

function verdict(contract: SourceContract, op: 'upsert' | 'delete', record: Record<string, unknown>, tokenised: string[]): RecordVerdict {
  return { valid: true, op, key: String(record[contract.businessKey]), eventTime: String(record[contract.eventTimeField]), record, tokenised };
}

function problemsOf(error: z.ZodError): RecordProblem[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

/** Reasons name fields, and a field name may hold a card number. */
const masked = (reasons: RecordProblem[]) => reasons.map(({ path, message }) => ({ path: maskCardNumbers(path), message: maskCardNumbers(message) }));
