import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { PublishError, RequestError } from './errors.ts';

interface ErrorLogger {
  error(message: string, ...extra: unknown[]): void;
}

interface ErrorMetrics {
  addMetric(name: string, unit: 'Count', value: number): void;
}

export interface HttpErrorsOptions {
  logger: ErrorLogger;
  /** Counts refused (4xx) and failed (5xx) requests, so no invocation ends without a metric. */
  metrics: ErrorMetrics;
}

/** JSON response with the platform's error body: `{ "error": { "code", "message", ... } }`. */
export function errorResponse(statusCode: number, error: Record<string, unknown>): APIGatewayProxyResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error }) };
}

/**
 * Maps errors to HTTP answers in one place. The caller's mistakes (RequestError) are
 * answered with their specific code; a failed publish is a 503 that says nothing was
 * accepted; anything else is a 500 that leaks nothing but the request id.
 */
export function httpErrors(options: HttpErrorsOptions): MiddlewareObj<unknown, APIGatewayProxyResultV2> {
  const { logger, metrics } = options;
  return {
    onError: async function mapErrorToResponse(request) {
      const { error } = request;
      const requestId = (request.context as { awsRequestId?: string }).awsRequestId;
      if (error instanceof RequestError) {
        metrics.addMetric('RequestsRejected', 'Count', 1);
        request.response = errorResponse(error.statusCode, { code: error.code, message: error.message, details: error.details, requestId });
        return;
      }
      logger.error('request failed', error as Error);
      metrics.addMetric('RequestsFailed', 'Count', 1);
      request.response =
        error instanceof PublishError
          ? errorResponse(503, { code: 'PUBLISH_FAILED', message: 'records could not be published; none of this batch was accepted, send it again', requestId })
          : errorResponse(500, { code: 'INTERNAL_ERROR', message: 'internal error', requestId });
    },
  };
}
