import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * One logger, tracer and metrics instance per function, configured from the
 * environment (POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL, POWERTOOLS_METRICS_NAMESPACE).
 * Events carry personal and card data: log counts and ids, never whole events.
 */
export const logger = new Logger();
export const tracer = new Tracer();
export const metrics = new Metrics();
