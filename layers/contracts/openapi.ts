import { contractJsonSchema } from './json-schema.ts';
import { contracts } from './registry.ts';

const recordRefs = {
  type: 'array',
  items: { type: 'object', required: ['index', 'eventId'], properties: { index: { type: 'integer' }, eventId: { type: 'string', format: 'uuid' } } },
};

/** 503 PARTIALLY_PUBLISHED: which records of the batch are durable in Kafka and which are not. */
const partiallyPublishedBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: {
        code: { const: 'PARTIALLY_PUBLISHED' },
        message: { type: 'string' },
        details: {
          type: 'object',
          required: ['batchId', 'accepted', 'failed'],
          properties: { batchId: { type: 'string', format: 'uuid' }, accepted: recordRefs, failed: recordRefs },
        },
      },
    },
  },
};

const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {}, requestId: { type: 'string' } },
    },
  },
};

/** The ingest API described from the data contracts: one request schema per source. */
export function buildOpenApiDocument(serverUrl = 'http://127.0.0.1:3000'): Record<string, unknown> {
  const schemas: Record<string, unknown> = { Error: errorBody, PartiallyPublished: partiallyPublishedBody };
  for (const contract of contracts.values()) schemas[contract.source] = contractJsonSchema(contract);
  const recordOneOf = [...contracts.keys()].map((source) => ({ $ref: `#/components/schemas/${source}` }));
  const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

  return {
    openapi: '3.1.0',
    info: { title: 'ledgerflow ingest API', version: '1.0.0', description: 'Send batches of financial and insurance records; each accepted record reaches the curated tables or quarantine.' },
    servers: [{ url: serverUrl }],
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "A JWT from the API's identity provider; locally, `npm run local:token` prints one" },
      },
    },
    security: [{ bearerAuth: [] }],
    paths: {
      '/openapi.json': {
        get: {
          operationId: 'getOpenApiDocument',
          summary: 'This document',
          security: [],
          responses: { '200': { description: 'The OpenAPI document of this API', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
      '/v1/sources/{source}/records': {
        post: {
          operationId: 'postRecords',
          summary: 'Publish a batch of records for a source',
          parameters: [
            { name: 'source', in: 'path', required: true, schema: { type: 'string', enum: [...contracts.keys()] } },
            { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' }, description: 'Same key, same batch and event ids on a retry' },
            { name: 'traceparent', in: 'header', required: false, schema: { type: 'string' }, description: 'W3C trace context carried with every record' },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  oneOf: [
                    { type: 'array', items: { oneOf: recordOneOf } },
                    { type: 'object', required: ['records'], properties: { records: { type: 'array', items: { oneOf: recordOneOf } } } },
                  ],
                },
              },
              'application/x-ndjson': { schema: { type: 'string', description: 'One JSON record per line' } },
            },
          },
          responses: {
            '202': {
              description: 'All records are durable in Kafka',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['batchId', 'source', 'topic', 'accepted', 'eventIds'],
                    properties: {
                      batchId: { type: 'string', format: 'uuid' },
                      source: { type: 'string' },
                      topic: { type: 'string' },
                      accepted: { type: 'integer' },
                      eventIds: { type: 'array', items: { type: 'string', format: 'uuid' } },
                    },
                  },
                },
              },
            },
            '400': errorResponse('Body is empty, not UTF-8, not JSON/NDJSON, or not a list of records'),
            '401': { description: 'Missing or invalid bearer token' },
            '404': errorResponse('Unknown source'),
            '413': errorResponse('Body or batch too large'),
            '415': errorResponse('Unsupported content type'),
            '422': errorResponse(
              'Records refused, each named by index with its reasons (not an object, no business key, a card field not a clear string, a CVV or PIN field, over the size, depth or field limits); nothing was published',
            ),
            '503': {
              description:
                'PUBLISH_FAILED: Kafka did not accept the batch; nothing was accepted, send it again. PARTIALLY_PUBLISHED: Kafka took only part of it; `details` names the durable records (`accepted`) and the others (`failed`) by index and event id; send the batch again with the same Idempotency-Key (same event ids, so the durable records are not counted twice)',
              content: { 'application/json': { schema: { oneOf: [{ $ref: '#/components/schemas/Error' }, { $ref: '#/components/schemas/PartiallyPublished' }] } } },
            },
          },
        },
      },
    },
  };
}
