import type { SourceContract } from '#contracts/contract.ts';
import { lakePrefixes } from '#contracts/lake.ts';
import type { QuarantineLine } from '#contracts/lake-lines.ts';
import type { OutgoingMessage } from '#lib/record-messages.ts';
import { preparedMessage } from '#lib/record-messages.ts';

/** Which quarantined records a replay takes. */
export interface QuarantineSelection {
  source: string;
  /** A substring of one of the record's reasons (path or message), case-insensitive. */
  reason?: string;
  /** Received at or after / before, by the line's receivedAt. */
  since?: Date;
  until?: Date;
  /** Only these event ids, when given. */
  eventIds?: string[];
}

/** A quarantine line with where it was read from: the occurrence a replay ledger entry names. */
export interface QuarantinedRecord {
  objectKey: string;
  lineNumber: number;
  line: QuarantineLine;
}

export type ReplayDecision =
  | { replay: true; record: QuarantinedRecord; message: OutgoingMessage }
  | { replay: false; record: QuarantinedRecord; why: string };

/** One ledger object per replayed event id: `reports/replays/<source>/<eventId>.json`. */
export const replayLedgerKey = (source: string, eventId: string) => `${lakePrefixes.reports}replays/${source}/${eventId}.json`;

export interface ReplayLedgerEntry {
  eventId: string;
  /** The quarantine occurrence that was replayed; a later quarantine of the same event is a new one. */
  objectKey: string;
  lineNumber: number;
  replayedAt: string;
  patched: boolean;
}

export function parseQuarantineObject(objectKey: string, text: string): QuarantinedRecord[] {
  return text
    .split('\n')
    .map((raw, index) => ({ raw, lineNumber: index + 1 }))
    .filter(({ raw }) => raw.trim() !== '')
    .map(({ raw, lineNumber }) => ({ objectKey, lineNumber, line: JSON.parse(raw) as QuarantineLine }));
}

export function matchesSelection(line: QuarantineLine, selection: QuarantineSelection): boolean {
  if (line.source !== selection.source) return false;
  if (selection.eventIds && selection.eventIds.length > 0 && !selection.eventIds.includes(line.eventId ?? '')) return false;
  if (selection.reason) {
    const wanted = selection.reason.toLowerCase();
    if (!line.reasons.some((reason) => `${reason.path} ${reason.message}`.toLowerCase().includes(wanted))) return false;
  }
  const received = line.receivedAt ? Date.parse(line.receivedAt) : Number.NaN;
  if (selection.since && !(received >= selection.since.getTime())) return false;
  if (selection.until && !(received < selection.until.getTime())) return false;
  return true;
}

/**
 * Card data is never stored in clear: a record quarantined for a card number outside a
 * card field, a card secret or a card field that was not a valid number kept only a masked
 * or protected remnant, so replaying it would store the remnant as if it were the value.
 * Such records need the producer to send them again.
 */
const cardReason = /card (number|verification|field)|clear card|protected forms|\bPIN\b/i;

/**
 * Whether a quarantined record can be replayed and, if so, the message that puts it back
 * on its source's topic with its original event id, batch id and receive time: the same
 * message ingest published, with `patch` (a JSON merge patch: a field set to null is
 * removed) applied to the record.
 */
export function replayDecision(
  record: QuarantinedRecord,
  contract: SourceContract,
  options: { patch?: Record<string, unknown>; topicPrefix: string; ledger?: ReplayLedgerEntry },
): ReplayDecision {
  const { line } = record;
  if (!line.eventId) return { replay: false, record, why: 'no event id (written to the topic directly, not through ingest)' };
  if (options.ledger && options.ledger.objectKey === record.objectKey && options.ledger.lineNumber === record.lineNumber) {
    return { replay: false, record, why: `already replayed at ${options.ledger.replayedAt}` };
  }
  if (line.reasons.some((reason) => cardReason.test(reason.message))) {
    return { replay: false, record, why: 'card data was masked or protected when quarantined; the producer must send the record again' };
  }
  const payload = line.payload;
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return { replay: false, record, why: 'the quarantined payload is not a JSON object' };
  const patched = options.patch ? mergePatch(payload as Record<string, unknown>, options.patch) : (payload as Record<string, unknown>);
  const key = patched[contract.businessKey];
  if (typeof key !== 'string' || key.trim() === '') return { replay: false, record, why: `no business key "${contract.businessKey}" (patch it in)` };
  const message = preparedMessage(
    contract,
    { key: key.trim(), value: JSON.stringify(patched), cardNumbers: [] },
    { eventId: line.eventId, batchId: line.batchId ?? line.eventId, receivedAt: line.receivedAt ?? new Date().toISOString(), traceparent: line.traceparent ?? undefined },
    options.topicPrefix,
  );
  return { replay: true, record, message };
}

/** RFC 7396 JSON merge patch. */
export function mergePatch(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...target };
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete result[name];
    else if (typeof value === 'object' && !Array.isArray(value) && typeof result[name] === 'object' && result[name] !== null && !Array.isArray(result[name])) {
      result[name] = mergePatch(result[name] as Record<string, unknown>, value as Record<string, unknown>);
    } else result[name] = value;
  }
  return result;
}
