import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { lakePrefixes } from '#contracts/lake.ts';
import { stackSettings } from '../../local-stack/stack.config.ts';
import { lakeClient, listKeys } from '../../tools/pipeline/settle.ts';

/**
 * Which event ids validation has written to landing or quarantine objects: reads each
 * object (version, by ETag) once. Cheap enough to poll, unlike a Spark query of the tables,
 * so it times the validation side of a recovery; the Delta tables are checked once, at the end.
 */
export class ValidatedEvents {
  private readonly read = new Set<string>();
  /** Where each event id was seen: object key, partition and offset of its line. */
  private readonly eventIds = new Map<string, { key: string; partition: number; offset: number }[]>();

  constructor(private readonly s3: S3Client = lakeClient()) {}

  async refresh(): Promise<void> {
    for (const prefix of [lakePrefixes.landing, lakePrefixes.quarantine]) {
      for (const [key, eTag] of await listKeys(this.s3, prefix)) {
        const version = `${key}@${eTag}`;
        if (this.read.has(version)) continue;
        const body = await this.s3.send(new GetObjectCommand({ Bucket: stackSettings.lakeBucket, Key: key }));
        for (const line of (await body.Body!.transformToString()).split('\n')) {
          if (!line.trim()) continue;
          const { eventId, partition, offset } = JSON.parse(line) as { eventId?: string; partition: number; offset: number };
          const seen = this.eventIds.get(String(eventId)) ?? [];
          if (!seen.some((entry) => entry.key === key)) seen.push({ key, partition, offset });
          this.eventIds.set(String(eventId), seen);
        }
        this.read.add(version);
      }
    }
  }

  /** The objects that hold an event id, with its partition and offset. */
  locationsOf(eventId: string): { key: string; partition: number; offset: number }[] {
    return this.eventIds.get(eventId) ?? [];
  }

  /** Resolves with the time every one of the ids was in an object; throws on timeout with how many were missing. */
  async waitFor(eventIds: string[], timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // A bucket that does not answer (MinIO just restarted) is asked again.
      await this.refresh().catch(() => undefined);
      const missing = eventIds.filter((id) => !this.eventIds.has(id));
      if (missing.length === 0) return Date.now();
      if (Date.now() > deadline) throw new Error(`${missing.length} of ${eventIds.length} acknowledged records not in any landing or quarantine object after ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
