import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Which records of a shard are done (processed, or handed to the on-failure destination)
 * and the checkpoint that follows: the last record of the run of done records at the
 * front, so a checkpoint never passes a record still being retried.
 */
export class ShardProgress {
  readonly #pending: string[] = [];
  readonly #done = new Set<string>();

  /** Records as they are read from the shard, in order. */
  track(records: { sequenceNumber: string }[]): void {
    for (const record of records) this.#pending.push(record.sequenceNumber);
  }

  markDone(records: { sequenceNumber: string }[]): void {
    for (const record of records) this.#done.add(record.sequenceNumber);
  }

  /** The new checkpoint (last done sequence number), or undefined when it did not move. */
  takeCheckpoint(): string | undefined {
    let checkpoint: string | undefined;
    while (this.#pending.length > 0 && this.#done.has(this.#pending[0]!)) {
      checkpoint = this.#pending.shift()!;
      this.#done.delete(checkpoint);
    }
    return checkpoint;
  }
}

interface StoredCheckpoints {
  /** The stream's creation time: checkpoints of a stream that was deleted and created again do not apply. */
  streamCreatedAt: string;
  shards: Record<string, string>;
}

/**
 * The last processed sequence number of each shard of one event source mapping, kept in a
 * JSON file of the state folder (written whole, then renamed), so a restarted runtime
 * resumes after the last success.
 */
export class CheckpointStore {
  readonly #path: string;
  #stored: StoredCheckpoints = { streamCreatedAt: '', shards: {} };

  constructor(path: string) {
    this.#path = path;
  }

  /** Loads the checkpoints; returns false when they belonged to an earlier stream of the same name (and drops them). */
  load(streamCreatedAt: string): boolean {
    const stored = existsSync(this.#path) ? (JSON.parse(readFileSync(this.#path, 'utf8')) as StoredCheckpoints) : undefined;
    if (stored && stored.streamCreatedAt === streamCreatedAt) {
      this.#stored = stored;
      return true;
    }
    this.#stored = { streamCreatedAt, shards: {} };
    return stored === undefined;
  }

  get(shardId: string): string | undefined {
    return this.#stored.shards[shardId];
  }

  save(shardId: string, sequenceNumber: string): void {
    this.#stored.shards[shardId] = sequenceNumber;
    mkdirSync(dirname(this.#path), { recursive: true });
    writeFileSync(`${this.#path}.tmp`, JSON.stringify(this.#stored, null, 2));
    renameSync(`${this.#path}.tmp`, this.#path);
  }
}
