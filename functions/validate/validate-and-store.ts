import type { S3Client } from '@aws-sdk/client-s3';
import type { FunctionDependencies } from '#lib/dependencies.ts';
import { kafkaEventSchema } from './kafka-event.ts';
import { validateBatch } from './validate-batch.ts';
import { writeBatchObjects } from './write-objects.ts';

export interface ValidateFunctionSettings {
  topicPrefix: string;
  cardTokenKey: string;
  lakeBucket: string;
}

export type ValidateDependencies = FunctionDependencies<ValidateFunctionSettings> & { s3: S3Client };

/**
 * A Kafka batch from the event source: validated, written to the lake as landing and
 * quarantine objects, counted. A write error fails the invocation, so the batch is retried.
 */
export async function validateAndStore(rawEvent: unknown, deps: ValidateDependencies): Promise<{ valid: number; invalid: number; objects: number }> {
  const { settings, logger, metrics } = deps;
  const event = kafkaEventSchema.parse(rawEvent);
  const batch = validateBatch(event, { topicPrefix: settings.topicPrefix, cardTokenKey: settings.cardTokenKey, findContract: deps.findContract });
  await writeBatchObjects(deps.s3, settings.lakeBucket, batch.objects);
  metrics.addMetric('RecordsValid', 'Count', batch.valid);
  metrics.addMetric('RecordsQuarantined', 'Count', batch.invalid);
  if (batch.tokenised.length > 0) {
    // Kept, but flagged: a long-number field held a Luhn-valid number, now its token. Paths and ids only.
    metrics.addMetric('CardNumbersTokenised', 'Count', batch.tokenised.length);
    logger.warn('card numbers tokenised in long-number fields', { records: batch.tokenised });
  }
  const batchIds = [...new Set(batch.objects.flatMap((o) => o.lines.map((line) => line.batchId)))];
  logger.info('batch validated', { valid: batch.valid, invalid: batch.invalid, objects: batch.objects.map((o) => o.key), batchIds });
  return { valid: batch.valid, invalid: batch.invalid, objects: batch.objects.length };
}
