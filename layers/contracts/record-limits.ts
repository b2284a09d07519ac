/**
 * Limits on one record, enforced at ingest (a violation is a 422 naming the record's
 * index; nothing of the batch is published) and checked again at validation (the
 * record is quarantined; the rest of its batch is not affected). They keep one record
 * from failing anything but itself: every record fits in one Kafka message, and every
 * walk over a record is bounded.
 */
export interface RecordLimits {
  /** Bytes of the record as published (UTF-8 JSON, card numbers protected). */
  maxRecordBytes: number;
  /** Nesting of objects and arrays; a flat record has depth 1. */
  maxDepth: number;
  /** Object fields and array elements at every depth. */
  maxFields: number;
}

/** Kafka's default `message.max.bytes` (and MSK's). */
export const defaultMaxMessageBytes = 1_048_576;

/** Room left in a message for its key, its headers and the record batch framing. */
export const messageHeadroomBytes = 16 * 1024;

export function recordLimits(maxMessageBytes = defaultMaxMessageBytes): RecordLimits {
  return { maxRecordBytes: maxMessageBytes - messageHeadroomBytes, maxDepth: 16, maxFields: 1000 };
}
