import * as z from 'zod';
import { utcTimestamp } from './fields.ts';

/**
 * A data contract: everything the platform knows about one source. The ingest API,
 * validation, the lake's tables and the Spark merge all read it from here.
 */
export interface SourceContract {
  /** URL path segment and topic suffix, e.g. "claims". */
  readonly source: string;
  readonly version: number;
  readonly description: string;
  /** Validates one upsert record and returns it normalised. */
  readonly schema: z.ZodType<Record<string, unknown>, unknown>;
  /** Field whose value identifies the entity; the Kafka key and the MERGE key. */
  readonly businessKey: string;
  /** Field that orders versions of one entity: the newest wins. */
  readonly eventTimeField: string;
  /** Fields holding card numbers, protected at ingest before anything is stored. */
  readonly cardFields: readonly string[];
  /** Money fields, stored as DECIMAL in the lake. */
  readonly decimalFields: readonly string[];
}

export function defineContract(contract: SourceContract): SourceContract {
  return Object.freeze(contract);
}

function buildDeleteSchema(contract: SourceContract) {
  return z.object({
    op: z.literal('delete'),
    [contract.businessKey]: z.string().trim().min(1),
    [contract.eventTimeField]: utcTimestamp,
  });
}

// Built once per contract: constructing a zod schema costs far more than parsing with it.
const deleteSchemas = new WeakMap<SourceContract, ReturnType<typeof buildDeleteSchema>>();

/** A delete names the entity and when it was deleted; nothing else is required. */
export function deleteSchema(contract: SourceContract) {
  let schema = deleteSchemas.get(contract);
  if (!schema) {
    schema = buildDeleteSchema(contract);
    deleteSchemas.set(contract, schema);
  }
  return schema;
}

export const curatedTable = (contract: SourceContract) => `curated.${contract.source}`;
export const rawTable = (contract: SourceContract) => `raw.${contract.source}`;
export const quarantineTable = (contract: SourceContract) => `quarantine.${contract.source}`;
