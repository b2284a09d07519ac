import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * One logger and metrics instance per function, configured from the environment
 * (POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL, POWERTOOLS_METRICS_NAMESPACE).
 * Events carry personal and card data: log counts and ids, never whole events.
 *
 * Tracing is Lambda's own (Tracing: Active) plus the W3C traceparent every record
 * carries; the X-Ray SDK that Powertools Tracer wraps would add about 110 KB to every
 * bundle and to every cold start.
 */
export const logger = new Logger();
export const metrics = new Metrics();
