import type { InvocationRecord } from '@ledgerflow/lambda-runtime';

/**
 * Lambda's prefix for S3 on-failure records: `aws/lambda/async/<function>/` for asynchronous
 * invocations, `aws/lambda/<mapping UUID>/<partition or shard>/` for Kafka and Kinesis batches.
 */
export const deadLetterPrefix = 'aws/lambda/';

export interface DeadLetter {
  objectKey: string;
  functionName: string;
  record: InvocationRecord;
}

export interface DeadLetterSelection {
  /** A function name, or a part of it (AWS names carry the logical id). */
  functionName?: string;
  since?: Date;
  until?: Date;
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` -> name. */
export function functionNameOf(functionArn: string): string {
  return functionArn.split(':')[6] ?? functionArn;
}

/**
 * An invocation record; a stream mapping's record carries its batch's event as a JSON
 * string in `payload` instead of `requestPayload`, which is where replay reads it from.
 */
export function parseDeadLetter(objectKey: string, text: string): DeadLetter {
  const record = JSON.parse(text) as InvocationRecord & { payload?: string };
  if (record.version !== '1.0' || !record.requestContext?.functionArn) throw new Error(`${objectKey} is not an invocation record`);
  if (record.requestPayload === undefined && typeof record.payload === 'string') record.requestPayload = JSON.parse(record.payload);
  return { objectKey, functionName: functionNameOf(record.requestContext.functionArn), record };
}

export function matchesDeadLetter(letter: DeadLetter, selection: DeadLetterSelection): boolean {
  if (selection.functionName && !letter.functionName.includes(selection.functionName)) return false;
  const failedAt = Date.parse(letter.record.timestamp);
  if (selection.since && !(failedAt >= selection.since.getTime())) return false;
  if (selection.until && !(failedAt < selection.until.getTime())) return false;
  return true;
}

/**
 * Invokes the function with the event (or batch) it failed on, synchronously, through the Lambda
 * Invoke API of the local runtime (`npm run local:start`, port 3001): the same code, event
 * and environment as the asynchronous invocation. Resolves whether the function succeeded.
 */
export async function reinvoke(endpoint: string, letter: DeadLetter): Promise<{ ok: true } | { ok: false; error: string }> {
  const response = await fetch(`${endpoint}/2015-03-31/functions/${encodeURIComponent(letter.functionName)}/invocations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
    body: JSON.stringify(letter.record.requestPayload),
  });
  const body = await response.text();
  if (response.status !== 200) return { ok: false, error: `invoke answered ${response.status}: ${body.slice(0, 300)}` };
  if (response.headers.get('x-amz-function-error')) return { ok: false, error: body.slice(0, 300) };
  return { ok: true };
}
