import * as z from 'zod';
import type { SourceContract } from './contract.ts';
import { undeclaredFieldsJsonSchema } from './extensions.ts';

type JsonSchema = Record<string, any>;

/**
 * The contract as JSON Schema of what a producer sends. Card fields are described as
 * the clear number the producer sends, not the protected form validation sees.
 */
export function contractJsonSchema(contract: SourceContract): JsonSchema {
  const schema = z.toJSONSchema(contract.schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  for (const field of contract.cardFields) {
    schema.properties[field] = {
      type: 'string',
      pattern: '^[0-9 -]{12,23}$',
      description: 'Card number (PAN) in clear, as a string; protected at ingest, never stored in clear. A protected form sent by a producer is refused.',
    };
  }
  schema.properties.op = { type: 'string', enum: ['upsert', 'delete'], description: 'A delete needs only the business key and the event time' };
  // The zod schema is closed; what the contract keeps beyond its fields is its extension policy.
  delete schema.additionalProperties;
  Object.assign(schema, undeclaredFieldsJsonSchema(contract));
  schema.title = `${contract.source} v${contract.version}`;
  schema.description = `${contract.description}. Business key: ${contract.businessKey}; newest ${contract.eventTimeField} wins.`;
  return schema;
}
