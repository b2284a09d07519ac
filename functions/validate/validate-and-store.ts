import type { S3Client } from '@aws-sdk/client-s3';
import type { FunctionDependencies } from '#lib/dependencies.ts';
import { kafkaEventSchema } from './kafka-event.ts';
import { type KinesisBatchResponse, isKinesisEvent, kinesisEventSchema } from './kinesis-event.ts';
import { type ValidatedBatch, validateBatch } from './validate-batch.ts';
import { validateKinesisBatch } from './validate-kinesis-batch.ts';
import { writeBatchObjects } from './write-objects.ts';

export interface ValidateFunctionSettings {
  topicPrefix: string;
  /** Each source's Kinesis stream is `<kinesisStreamPrefix><source>`. */
  kinesisStreamPrefix: string;
  cardTokenKey: string;
  lakeBucket: string;
}

export type ValidateDependencies = FunctionDependencies<ValidateFunctionSettings> & { s3: S3Client };

export type KafkaBatchResult = { valid: number; invalid: number; objects: number };

/**
 * A batch from the event source, Kafka or Kinesis: validated, written to the lake as
 * landing and quarantine objects, counted. A Kafka batch whose objects cannot be written
 * fails the invocation, so it is retried whole; a Kinesis batch reports the first record
 * of each shard whose objects were not written (ReportBatchItemFailures), so Lambda
 * retries from there. Either way the retry overwrites the same keys.
 */
export async function validateAndStore(rawEvent: unknown, deps: ValidateDependencies): Promise<KafkaBatchResult | KinesisBatchResponse> {
  const { settings, logger } = deps;
  if (isKinesisEvent(rawEvent)) {
    const batch = validateKinesisBatch(kinesisEventSchema.parse(rawEvent), {
      streamPrefix: settings.kinesisStreamPrefix,
      cardTokenKey: settings.cardTokenKey,
      findContract: deps.findContract,
    });
    const batchItemFailures: KinesisBatchResponse['batchItemFailures'] = [];
    for (const shard of batch.shards) {
      try {
        await writeBatchObjects(deps.s3, settings.lakeBucket, shard.objects);
      } catch (error) {
        logger.error('lake objects not written; the shard is retried from its first record', { objects: shard.objects.map((o) => o.key), error: error as Error });
        batchItemFailures.push({ itemIdentifier: shard.firstSequenceNumber });
      }
    }
    if (batchItemFailures.length < batch.shards.length) report(batch, deps);
    return { batchItemFailures };
  }
  const batch = validateBatch(kafkaEventSchema.parse(rawEvent), { topicPrefix: settings.topicPrefix, cardTokenKey: settings.cardTokenKey, findContract: deps.findContract });
  await writeBatchObjects(deps.s3, settings.lakeBucket, batch.objects);
  report(batch, deps);
  return { valid: batch.valid, invalid: batch.invalid, objects: batch.objects.length };
}

function report(batch: ValidatedBatch, { logger, metrics }: ValidateDependencies): void {
  metrics.addMetric('RecordsValid', 'Count', batch.valid);
  metrics.addMetric('RecordsQuarantined', 'Count', batch.invalid);
  if (batch.tokenised.length > 0) {
    // Kept, but flagged: a long-number field held a Luhn-valid number, now its token. Paths and ids only.
    metrics.addMetric('CardNumbersTokenised', 'Count', batch.tokenised.length);
    logger.warn('card numbers tokenised in long-number fields', { records: batch.tokenised });
  }
  const batchIds = [...new Set(batch.objects.flatMap((o) => o.lines.map((line) => line.batchId)))];
  logger.info('batch validated', { valid: batch.valid, invalid: batch.invalid, objects: batch.objects.map((o) => o.key), batchIds });
}
