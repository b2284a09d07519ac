import type { ConsumedRecord } from './kafka-event.ts';

/**
 * Which records of a batch are done (processed, or handed to the on-failure destination),
 * and the offsets that may be committed: per partition, only past a contiguous run of done
 * records, so a commit never skips a record still being retried.
 */
export class BatchProgress {
  readonly #byPartition = new Map<string, { topic: string; partition: number; offsets: bigint[]; done: Set<bigint>; committed: bigint }>();

  constructor(records: ConsumedRecord[]) {
    for (const record of records) {
      const key = `${record.topic}-${record.partition}`;
      let entry = this.#byPartition.get(key);
      if (!entry) {
        entry = { topic: record.topic, partition: record.partition, offsets: [], done: new Set(), committed: -1n };
        this.#byPartition.set(key, entry);
      }
      entry.offsets.push(record.offset);
    }
    for (const entry of this.#byPartition.values()) entry.offsets.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  markDone(records: ConsumedRecord[]): void {
    for (const record of records) this.#byPartition.get(`${record.topic}-${record.partition}`)?.done.add(record.offset);
  }

  /** Offsets (next to read) that became committable since the last call. */
  takeCommittable(): { topic: string; partition: number; offset: bigint }[] {
    const result = [];
    for (const entry of this.#byPartition.values()) {
      let next: bigint | undefined;
      for (const offset of entry.offsets) {
        if (!entry.done.has(offset)) break;
        next = offset + 1n;
      }
      if (next !== undefined && next > entry.committed) {
        entry.committed = next;
        result.push({ topic: entry.topic, partition: entry.partition, offset: next });
      }
    }
    return result;
  }
}
