import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { asyncFailureObjectKey, writeFailureRecord } from './bridges/failure-destination.ts';
import { bucketFromArn, localAwsSettings, localS3Client } from './bridges/local-aws.ts';
import type { FunctionRegistry } from './function-registry.ts';
import type { LambdaErrorPayload } from './worker/worker-protocol.ts';

export interface AsyncInvokeOptions {
  /** Lambda waits about a minute, then two; locally the first retry waits this long (default 1 s) and each next one twice as long. */
  baseDelayMs?: number;
  onNotice: (text: string) => void;
  requestId?: string;
  /** Set by the caller while it stops: a destination write that fails is then given up rather than retried. */
  state?: { stopping: boolean };
  /** Writes an invocation record to the on-failure destination; by default to its S3 bucket. */
  writeFailure?: (destination: string, key: string, record: InvocationRecord) => Promise<void>;
}

export interface AsyncInvokeResult {
  requestId: string;
  attempts: number;
  ok: boolean;
  /** Where the invocation record went, when the event failed and a destination is configured. */
  deadLetter?: { destination: string; key: string };
}

/** Lambda's record of an asynchronous invocation, as it sends it to an on-failure destination. */
export interface InvocationRecord {
  version: '1.0';
  timestamp: string;
  requestContext: { requestId: string; functionArn: string; condition: 'RetriesExhausted' | 'EventAgeExceeded'; approximateInvokeCount: number };
  requestPayload: unknown;
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  responsePayload?: { errorType: string; errorMessage: string; stackTrace: string[] };
}

/**
 * An `Event` invocation as Lambda runs it: the caller does not wait; a function error is
 * retried `EventInvokeConfig.MaximumRetryAttempts` times (default 2) with a doubling delay,
 * and an event older than `MaximumEventAgeInSeconds` is not tried again. A final failure
 * goes as an invocation record to the on-failure destination (an S3 bucket locally, under
 * `aws/lambda/async/<function name>/`), or is logged and dropped without one.
 */
export async function invokeAsync(registry: FunctionRegistry, logicalId: string, event: unknown, options: AsyncInvokeOptions): Promise<AsyncInvokeResult> {
  const definition = registry.model.functions.get(logicalId);
  if (!definition) throw new Error(`no function ${logicalId} in ${registry.model.templatePath}`);
  const config = definition.asyncInvoke;
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const requestId = options.requestId ?? randomUUID();
  const queuedAt = Date.now();
  const ageLimitMs = config.maximumEventAgeInSeconds * 1000;
  let attempts = 0;
  let error: LambdaErrorPayload | undefined;
  let condition: InvocationRecord['requestContext']['condition'] = 'RetriesExhausted';
  while (attempts <= config.maximumRetryAttempts) {
    if (Date.now() - queuedAt > ageLimitMs) {
      condition = 'EventAgeExceeded';
      break;
    }
    attempts++;
    const outcome = await registry.invoke(logicalId, event, { requestId });
    if (outcome.ok) return { requestId, attempts, ok: true };
    error = outcome.error;
    if (attempts > config.maximumRetryAttempts) break;
    const delay = baseDelayMs * 2 ** (attempts - 1);
    options.onNotice(`${logicalId}: asynchronous invocation ${requestId} failed (attempt ${attempts}), retrying in ${delay} ms: ${error.errorType}: ${error.errorMessage}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  const failure = error ? `${error.errorType}: ${error.errorMessage}` : 'not invoked';
  const destination = config.onFailureDestination;
  if (!destination) {
    options.onNotice(`${logicalId}: asynchronous invocation ${requestId} failed (${condition}, ${attempts} attempts), event dropped: no on-failure destination: ${failure}`);
    return { requestId, attempts, ok: false };
  }
  const record = invocationRecord({ requestId, functionArn: `${registry.functionArn(definition)}:$LATEST`, condition, attempts, event, error });
  const key = asyncFailureObjectKey(definition.functionName);
  const write = options.writeFailure ?? ((target, objectKey, body) => writeToBucket(registry, target, objectKey, body, options));
  await write(destination, key, record);
  options.onNotice(`${logicalId}: asynchronous invocation ${requestId} failed (${condition}, ${attempts} attempts): invocation record at ${destination} ${key}: ${failure}`);
  return { requestId, attempts, ok: false, deadLetter: { destination, key } };
}

/** The record in AWS's documented shape (version 1.0); the error is the function's error payload. */
export function invocationRecord(input: {
  requestId: string;
  functionArn: string;
  condition: InvocationRecord['requestContext']['condition'];
  attempts: number;
  event: unknown;
  error?: LambdaErrorPayload;
  now?: Date;
}): InvocationRecord {
  return {
    version: '1.0',
    timestamp: (input.now ?? new Date()).toISOString(),
    requestContext: { requestId: input.requestId, functionArn: input.functionArn, condition: input.condition, approximateInvokeCount: input.attempts },
    requestPayload: input.event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', ...(input.error ? { functionError: 'Unhandled' } : {}) },
    ...(input.error ? { responsePayload: { errorType: input.error.errorType, errorMessage: input.error.errorMessage, stackTrace: input.error.trace } } : {}),
  };
}

const s3Clients = new WeakMap<FunctionRegistry, S3Client>();

async function writeToBucket(registry: FunctionRegistry, destination: string, key: string, record: InvocationRecord, options: AsyncInvokeOptions): Promise<void> {
  const bucket = bucketFromArn(destination, registry);
  if (!bucket) {
    options.onNotice(`on-failure destination ${destination} is not run locally (S3 buckets only); the record was not kept: ${JSON.stringify(record.requestContext)}`);
    return;
  }
  let s3 = s3Clients.get(registry);
  if (!s3) {
    s3 = localS3Client(localAwsSettings(registry));
    s3Clients.set(registry, s3);
  }
  await writeFailureRecord(s3, bucket, key, record, options.state ?? { stopping: false }, options.onNotice);
}
