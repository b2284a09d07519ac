import { describe, expect, it } from 'vitest';
import { contractJsonSchema } from '#contracts/json-schema.ts';
import { buildOpenApiDocument } from '#contracts/openapi.ts';
import { findContract } from '#contracts/registry.ts';

describe('JSON Schema export', () => {
  it('describes what a producer sends: card numbers as strings, money as decimal strings', () => {
    const schema = contractJsonSchema(findContract('transactions')!);
    expect(schema.properties.cardNumber).toMatchObject({ type: 'string' });
    expect(schema.properties.amount).toMatchObject({ type: 'string', pattern: expect.any(String) });
    expect(schema.properties.occurredAt).toMatchObject({ type: 'string', format: 'date-time' });
    expect(schema.required).toEqual(expect.arrayContaining(['transactionId', 'amount', 'currency', 'updatedAt']));
  });
});

describe('OpenAPI document', () => {
  it('has the ingest operation with one schema per source and every error status', () => {
    const document = buildOpenApiDocument() as any;
    const operation = document.paths['/v1/sources/{source}/records'].post;
    expect(operation.parameters[0].schema.enum.sort()).toEqual(['claims', 'policies', 'transactions']);
    expect(Object.keys(operation.responses)).toEqual(['202', '400', '401', '404', '413', '415', '422', '503']);
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(['transactions', 'policies', 'claims', 'Error']));
  });
});
