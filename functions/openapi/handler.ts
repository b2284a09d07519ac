import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { buildOpenApiDocument } from '#contracts/openapi.ts';
import { openApiResponse } from './openapi-response.ts';

// Built from the data contracts bundled into this function, so it changes only with a deploy.
const document = buildOpenApiDocument();

export const handler = async (event: APIGatewayProxyEventV2) => openApiResponse(event, document);
