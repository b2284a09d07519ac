import { type SourceContract, deleteSchema } from '#contracts/contract.ts';
import { protectRecord } from '#contracts/protect.ts';
import type { z } from 'zod';

export interface RecordProblem {
  path: string;
  message: string;
}

export type RecordVerdict =
  | { valid: true; op: 'upsert' | 'delete'; key: string; eventTime: string; record: Record<string, unknown> }
  | { valid: false; reasons: RecordProblem[]; payload: unknown };

/**
 * Checks one decoded record against its source's contract and normalises it. Card
 * numbers are protected first, so neither a valid record nor a rejected one carries a
 * clear PAN, even when a producer wrote to the topic without going through ingest.
 */
export function validateRecord(contract: SourceContract, value: unknown, cardTokenKey: string): RecordVerdict {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { valid: false, reasons: [{ path: '', message: 'record must be a JSON object' }], payload: value };
  }
  const record = protectRecord(contract, value as Record<string, unknown>, cardTokenKey);
  const isDelete = record.op === 'delete';
  const result = isDelete ? deleteSchema(contract).safeParse(record) : contract.schema.safeParse(stripOp(record));
  if (!result.success) return { valid: false, reasons: problemsOf(result.error), payload: record };
  const normalised = result.data as Record<string, unknown>;
  return {
    valid: true,
    op: isDelete ? 'delete' : 'upsert',
    key: String(normalised[contract.businessKey]),
    eventTime: String(normalised[contract.eventTimeField]),
    record: normalised,
  };
}

function stripOp(record: Record<string, unknown>): Record<string, unknown> {
  if (!('op' in record)) return record;
  const { op: _op, ...rest } = record;
  return rest;
}

function problemsOf(error: z.ZodError): RecordProblem[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}
