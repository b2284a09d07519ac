import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { findContract } from '#contracts/registry.ts';
import { lakePrefixes, sourcePrefix } from '#contracts/lake.ts';
import type { OutgoingMessage } from '#lib/record-messages.ts';
import { type DeadLetter, type DeadLetterSelection, deadLetterPrefix, matchesDeadLetter, parseDeadLetter } from './dead-letters.ts';
import {
  matchesSelection, parseQuarantineObject, type QuarantineSelection, type ReplayDecision, type ReplayLedgerEntry, replayDecision, replayLedgerKey,
} from './quarantine-lines.ts';

export interface LakeAccess {
  s3: S3Client;
  bucket: string;
}

export interface ReplayOutput {
  log: (line: string) => void;
  dryRun: boolean;
}

export interface QuarantineReplaySummary {
  selected: number;
  replayed: number;
  skipped: { eventId: string | null; objectKey: string; lineNumber: number; why: string }[];
}

/**
 * Re-publishes the selected quarantined records to their source's topic (the path ingest
 * publishes to, so validation, landing and merge run as for any record) with their
 * original event ids, and notes each in the replay ledger once its message is durable.
 */
export async function replayQuarantine(
  lake: LakeAccess,
  selection: QuarantineSelection,
  options: ReplayOutput & { patch?: Record<string, unknown>; topicPrefix: string; publish: (messages: OutgoingMessage[]) => Promise<void>; now?: () => Date },
): Promise<QuarantineReplaySummary> {
  const contract = findContract(selection.source);
  if (!contract) throw new Error(`unknown source ${selection.source}`);
  const decisions: ReplayDecision[] = [];
  for (const objectKey of await listKeys(lake, sourcePrefix(lakePrefixes.quarantine, selection.source))) {
    for (const record of parseQuarantineObject(objectKey, await readText(lake, objectKey))) {
      if (!matchesSelection(record.line, selection)) continue;
      const ledger = record.line.eventId ? await readLedger(lake, selection.source, record.line.eventId) : undefined;
      decisions.push(replayDecision(record, contract, { patch: options.patch, topicPrefix: options.topicPrefix, ledger }));
    }
  }
  const summary: QuarantineReplaySummary = { selected: decisions.length, replayed: 0, skipped: [] };
  for (const decision of decisions) {
    const { objectKey, lineNumber, line } = decision.record;
    if (!decision.replay) {
      summary.skipped.push({ eventId: line.eventId, objectKey, lineNumber, why: decision.why });
      options.log(`skip    ${line.eventId ?? '(no event id)'}  ${objectKey}:${lineNumber}  ${decision.why}`);
      continue;
    }
    options.log(`${options.dryRun ? 'would replay' : 'replay '} ${line.eventId}  ${objectKey}:${lineNumber}  ${line.reasons.map((reason) => `${reason.path} ${reason.message}`.trim()).join('; ')}`);
    if (options.dryRun) continue;
    await options.publish([decision.message]);
    const entry: ReplayLedgerEntry = { eventId: line.eventId!, objectKey, lineNumber, replayedAt: (options.now?.() ?? new Date()).toISOString(), patched: options.patch !== undefined };
    await lake.s3.send(new PutObjectCommand({ Bucket: lake.bucket, Key: replayLedgerKey(selection.source, entry.eventId), Body: JSON.stringify(entry), ContentType: 'application/json' }));
    summary.replayed++;
  }
  return summary;
}

export interface DeadLetterReplaySummary {
  selected: number;
  replayed: number;
  failed: { objectKey: string; error: string }[];
}

/**
 * Invokes each selected dead letter's function again with its event; a record whose
 * invocation succeeded is deleted (the bucket's versioning keeps it in AWS), one that
 * failed again stays for the next attempt.
 */
export async function replayDeadLetters(
  lake: LakeAccess,
  selection: DeadLetterSelection,
  options: ReplayOutput & { reinvoke: (letter: DeadLetter) => Promise<{ ok: true } | { ok: false; error: string }> },
): Promise<DeadLetterReplaySummary> {
  const letters: DeadLetter[] = [];
  for (const objectKey of await listKeys(lake, deadLetterPrefix)) {
    let letter: DeadLetter;
    try {
      letter = parseDeadLetter(objectKey, await readText(lake, objectKey));
    } catch (error) {
      options.log(`skip    ${objectKey}: ${(error as Error).message}`);
      continue;
    }
    if (matchesDeadLetter(letter, selection)) letters.push(letter);
  }
  const summary: DeadLetterReplaySummary = { selected: letters.length, replayed: 0, failed: [] };
  for (const letter of letters) {
    const { condition, approximateInvokeCount } = letter.record.requestContext;
    options.log(`${options.dryRun ? 'would invoke' : 'invoke '} ${letter.functionName}  ${letter.objectKey}  (${condition} after ${approximateInvokeCount} attempts: ${letter.record.responsePayload?.errorMessage ?? 'no error'})`);
    if (options.dryRun) continue;
    const outcome = await options.reinvoke(letter);
    if (!outcome.ok) {
      summary.failed.push({ objectKey: letter.objectKey, error: outcome.error });
      options.log(`  failed again, kept: ${outcome.error}`);
      continue;
    }
    await lake.s3.send(new DeleteObjectCommand({ Bucket: lake.bucket, Key: letter.objectKey }));
    summary.replayed++;
  }
  return summary;
}

async function listKeys(lake: LakeAccess, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await lake.s3.send(new ListObjectsV2Command({ Bucket: lake.bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) keys.push(object.Key!);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

async function readText(lake: LakeAccess, key: string): Promise<string> {
  const object = await lake.s3.send(new GetObjectCommand({ Bucket: lake.bucket, Key: key }));
  return object.Body!.transformToString();
}

async function readLedger(lake: LakeAccess, source: string, eventId: string): Promise<ReplayLedgerEntry | undefined> {
  try {
    return JSON.parse(await readText(lake, replayLedgerKey(source, eventId))) as ReplayLedgerEntry;
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}
