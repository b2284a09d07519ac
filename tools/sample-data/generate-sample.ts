import { findContract } from '#contracts/registry.ts';
import { SeededRandom } from './random.ts';
import { earliestEventTime, invalidations, newRecord, referencedKeys, type SampleRecord, updatedRecord } from './sources.ts';

export interface SampleOptions {
  source: string;
  count: number;
  seed?: number;
  /** Share of records that break a contract rule (quarantined downstream). */
  invalidRate?: number;
  /** Share of records that are newer versions of an earlier entity. */
  updateRate?: number;
  /** Share of records that are older versions arriving after newer ones. */
  lateRate?: number;
  /** Share of records that delete an earlier entity. */
  deleteRate?: number;
  /** Exact re-sends of an earlier record (same content, same event time). */
  duplicateRate?: number;
  /** Prefix for every business key, so samples of different runs never share an entity. */
  keyPrefix?: string;
}

export type SampleKind = 'new' | 'update' | 'late' | 'delete' | 'duplicate' | 'invalid';

export interface LabelledRecord {
  record: SampleRecord;
  kind: SampleKind;
  reason?: string;
}

const DAY = 86_400_000;

/**
 * A realistic, deterministic sample for one source: mostly new entities, with updates,
 * late out-of-order versions, deletes, exact duplicates and invalid records mixed in.
 * Each record is labelled with what it is, so expectations can be computed from the
 * labels rather than from the pipeline under test.
 */
export function generateSample(options: SampleOptions): LabelledRecord[] {
  const contract = findContract(options.source);
  const makeNew = newRecord[options.source];
  if (!contract || !makeNew) throw new Error(`unknown source "${options.source}"`);
  const random = new SeededRandom(options.seed ?? 42);
  const rates = {
    invalid: options.invalidRate ?? 0.05,
    update: options.updateRate ?? 0.1,
    late: options.lateRate ?? 0.03,
    delete: options.deleteRate ?? 0.02,
    duplicate: options.duplicateRate ?? 0.02,
  };
  // One roll per record, compared with the rates stacked up in order.
  const bounds = {
    invalid: rates.invalid,
    update: rates.invalid + rates.update,
    late: rates.invalid + rates.update + rates.late,
    delete: rates.invalid + rates.update + rates.late + rates.delete,
    duplicate: rates.invalid + rates.update + rates.late + rates.delete + rates.duplicate,
  };
  const keyField = contract.businessKey;
  const timeField = contract.eventTimeField;
  const latest = new Map<string, SampleRecord>();
  const sample: LabelledRecord[] = [];
  let created = 0;

  const previousKey = () => [...latest.keys()][random.int(0, latest.size - 1)]!;
  const prefixed = [keyField, ...(referencedKeys[options.source] ?? [])];
  const withPrefix = (record: SampleRecord): SampleRecord =>
    options.keyPrefix ? { ...record, ...Object.fromEntries(prefixed.map((field) => [field, `${options.keyPrefix}${record[field]}`])) } : record;
  while (sample.length < options.count) {
    const roll = random.next();
    if (roll < bounds.invalid) {
      const rule = random.pick(invalidations[options.source]!);
      sample.push({ record: rule.apply(withPrefix(makeNew(random, 1_000_000 + sample.length))), kind: 'invalid', reason: rule.reason });
      continue;
    }
    if (latest.size > 0) {
      if (roll < bounds.update) {
        const key = previousKey();
        const previous = latest.get(key)!;
        const record = updatedRecord(options.source, random, previous, new Date(Date.parse(String(previous[timeField])) + random.int(1, 48) * 3_600_000));
        latest.set(key, record);
        sample.push({ record, kind: 'update' });
        continue;
      }
      if (roll < bounds.late) {
        const previous = latest.get(previousKey())!;
        // Older than what was already sent: must never overwrite it.
        const newestTime = Date.parse(String(previous[timeField]));
        const earliest = Math.max(earliestEventTime(options.source, previous), newestTime - 10 * DAY);
        const staleTime = earliest + Math.floor(random.next() * (newestTime - earliest));
        if (staleTime < newestTime) {
          sample.push({ record: updatedRecord(options.source, random, previous, new Date(staleTime)), kind: 'late' });
          continue;
        }
      }
      if (roll < bounds.delete) {
        const key = previousKey();
        const previous = latest.get(key)!;
        const record = { op: 'delete', [keyField]: key, [timeField]: new Date(Date.parse(String(previous[timeField])) + DAY).toISOString() };
        latest.delete(key);
        sample.push({ record, kind: 'delete' });
        continue;
      }
      if (roll < bounds.duplicate) {
        sample.push({ record: latest.get(previousKey())!, kind: 'duplicate' });
        continue;
      }
    }
    created += 1;
    const record = withPrefix(makeNew(random, created));
    latest.set(String(record[keyField]), record);
    sample.push({ record, kind: 'new' });
  }
  return sample;
}

export interface ExpectedOutcome {
  records: number;
  quarantined: number;
  valid: number;
  /** Rows the curated table holds once everything is merged. */
  curatedRows: number;
  /** Entities whose newest version is a delete. */
  deletedEntities: number;
}

/** What the pipeline must produce for a sample, from the labels alone. */
export function expectedOutcome(source: string, sample: LabelledRecord[]): ExpectedOutcome {
  const contract = findContract(source)!;
  const newest = new Map<string, { time: string; deleted: boolean }>();
  let quarantined = 0;
  for (const { record, kind } of sample) {
    if (kind === 'invalid') {
      quarantined += 1;
      continue;
    }
    const key = String(record[contract.businessKey]);
    const time = new Date(String(record[contract.eventTimeField])).toISOString();
    const current = newest.get(key);
    if (!current || time > current.time || (time === current.time && kind === 'delete')) {
      newest.set(key, { time, deleted: kind === 'delete' });
    }
  }
  const curatedRows = [...newest.values()].filter((entry) => !entry.deleted).length;
  return { records: sample.length, quarantined, valid: sample.length - quarantined, curatedRows, deletedEntities: newest.size - curatedRows };
}
