import * as z from 'zod';
import type { SourceContract } from './contract.ts';

type JsonSchema = Record<string, any>;

/**
 * The contract as JSON Schema of what a producer sends. Card fields are described as
 * the clear number the producer sends, not the protected form validation sees.
 */
export function contractJsonSchema(contract: SourceContract): JsonSchema {
  const schema = z.toJSONSchema(contract.schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  for (const field of contract.cardFields) {
    schema.properties[field] = { type: 'string', pattern: '^[0-9 -]{12,23}$', description: 'Card number (PAN); protected at ingest, never stored in clear' };
  }
  schema.properties.op = { type: 'string', enum: ['upsert', 'delete'], description: 'A delete needs only the business key and the event time' };
  schema.title = `${contract.source} v${contract.version}`;
  schema.description = `${contract.description}. Business key: ${contract.businessKey}; newest ${contract.eventTimeField} wins.`;
  return schema;
}
