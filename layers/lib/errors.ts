/**
 * Errors the platform raises on purpose. A RequestError is the caller's fault and is
 * shown to them with a machine-readable code; everything else is ours and is shown
 * as a generic 500 while the detail goes to the log.
 */
export class IngestionError extends Error {
  override name = 'IngestionError';
}

export class RequestError extends IngestionError {
  override name = 'RequestError';
  constructor(
    readonly statusCode: 400 | 401 | 403 | 404 | 405 | 413 | 415 | 422,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Publishing to Kafka failed: nothing of the batch may be reported as accepted. */
export class PublishError extends IngestionError {
  override name = 'PublishError';
}

/** Writing to the lake failed: the invocation must fail so the batch is retried. */
export class StorageError extends IngestionError {
  override name = 'StorageError';
}
