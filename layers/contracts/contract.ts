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
  /** Fields the schema adds to the normalised record (e.g. `cardMasked`); no undeclared field may take their names. */
  readonly derivedFields: readonly string[];
  /**
   * What happens to a field the contract does not declare (extensions.ts): `reject`
   * quarantines the record; `keep-scalars` keeps it as text under the extension rules
   * (safe column name, scalar value, bounded count and size) and quarantines the record
   * when one of them is broken.
   */
  readonly undeclaredFields: 'reject' | 'keep-scalars';
  /**
   * Fields that legitimately hold long digit strings (an account or reference number),
   * where a Luhn-valid 13 to 19 digit value is not a reason to quarantine the record: the
   * value is replaced by its card token (so equal numbers still join) and the record is
   * flagged in the log and metrics. A card number in any other field that is not a card
   * field quarantines the record, its value masked. Never the business key: a key
   * replaced by a token would be another entity.
   */
  readonly longNumberFields: readonly string[];
}

export function defineContract(contract: SourceContract): SourceContract {
  if (contract.longNumberFields.includes(contract.businessKey)) {
    throw new Error(`${contract.source}: the business key ${contract.businessKey} cannot be a long-number field`);
  }
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
