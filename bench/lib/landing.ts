import { findContract } from '#contracts/registry.ts';
import { deterministicUuid } from '#lib/ids.ts';
import { landingObjectKey } from '#contracts/lake.ts';
import { topicForSource } from '#lib/topics.ts';
import type { LandingLine } from '#contracts/lake-lines.ts';
import { validateRecord } from '../../functions/validate/validate-record.ts';
import { SeededRandom } from '../../tools/sample-data/random.ts';
import { updatedRecord } from '../../tools/sample-data/sources.ts';
import { benchTokenKey, benchTopicPrefix, transactionRecords } from './sample.ts';

/** Landing objects as validation writes them, made straight from generator records (no Kafka on the way). */

const source = 'transactions';
const contract = findContract(source)!;
const topic = topicForSource(benchTopicPrefix, source);

/** `count` distinct transactions numbered from `first` (the generator's records, renumbered so chunks never collide). */
export function entities(first: number, count: number, seed: number): Record<string, unknown>[] {
  return transactionRecords({ count, recordBytes: 0, mix: 'new', seed }).map((record, index) => ({
    ...record,
    transactionId: `TX-${String(first + index).padStart(9, '0')}`,
  }));
}

/** A later version of each record (a status change one to 48 hours after it), as the generator makes updates. */
export function updates(records: Record<string, unknown>[], seed: number): Record<string, unknown>[] {
  const random = new SeededRandom(seed);
  return records.map((record) => updatedRecord(source, random, record, new Date(Date.parse(String(record.updatedAt)) + random.int(1, 48) * 3_600_000)));
}

export interface LandingObject {
  key: string;
  lines: LandingLine[];
}

/**
 * Validated landing lines in objects of `perObject` lines, at consecutive Kafka offsets
 * from `firstOffset` on partition 0; the object keys follow the lake layout.
 */
export function landingObjects(records: Record<string, unknown>[], firstOffset: number, perObject = 1000): LandingObject[] {
  const objects: LandingObject[] = [];
  for (let start = 0; start < records.length; start += perObject) {
    const chunk = records.slice(start, start + perObject);
    const first = firstOffset + start;
    const batchId = deterministicUuid('bench-landing', String(first));
    const lines: LandingLine[] = [];
    chunk.forEach((record, index) => {
      const verdict = validateRecord(contract, record, benchTokenKey);
      if (!verdict.valid) throw new Error(`generator record ${String(record.transactionId)} is invalid: ${JSON.stringify(verdict.reasons)}`);
      lines.push({
        eventId: deterministicUuid(batchId, String(index)),
        batchId,
        receivedAt: '2026-03-01T12:00:00.000Z',
        traceparent: null,
        source,
        topic,
        partition: 0,
        offset: first + index,
        kafkaTimestamp: Date.parse('2026-03-01T12:00:00.000Z'),
        op: verdict.op,
        key: verdict.key,
        eventTime: verdict.eventTime,
        contractVersion: contract.version,
        record: verdict.record,
      });
    });
    objects.push({
      key: landingObjectKey(source, { topic, partition: 0, firstOffset: String(first), lastOffset: String(first + chunk.length - 1) }),
      lines,
    });
  }
  return objects;
}
