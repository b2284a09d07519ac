import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { lakePrefixes } from '#contracts/lake.ts';
import { createS3Client } from '#lib/s3.ts';
import { stackSettings } from '../../local-stack/stack.config.ts';

export interface LakeProgress {
  /** Records written to landing or quarantine objects since the snapshot. */
  validated: number;
  landingObjects: number;
  /** Landing objects handed to the Spark job service since the snapshot. */
  submittedObjects: number;
  /** Whether the Spark job service has nothing queued or running. */
  mergesIdle: boolean;
}

/** A client of the local stack's S3 server (MinIO). */
export function lakeClient(): S3Client {
  return createS3Client({ endpoint: stackSettings.s3Endpoint, region: stackSettings.region, credentials: stackSettings.credentials });
}

/** Key -> ETag of every object of the lake bucket under a prefix. */
export async function listKeys(s3: S3Client, prefix: string): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: stackSettings.lakeBucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) keys.set(object.Key!, object.ETag ?? '');
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

/**
 * Watches the lake settle after records were sent: counts the records in landing and
 * quarantine objects written since `snapshot()` (from each object's record-count
 * metadata) and asks the Spark job service whether merges are still pending.
 */
export class LakeWatcher {
  private readonly counts = new Map<string, number>();
  private before = new Map<string, string>();
  private since = new Date().toISOString();

  constructor(private readonly s3: S3Client = lakeClient()) {}

  async snapshot(): Promise<void> {
    this.since = new Date().toISOString();
    this.before = new Map([...(await listKeys(this.s3, lakePrefixes.landing)), ...(await listKeys(this.s3, lakePrefixes.quarantine))]);
  }

  async progress(): Promise<LakeProgress> {
    const landing = await listKeys(this.s3, lakePrefixes.landing);
    const quarantine = await listKeys(this.s3, lakePrefixes.quarantine);
    let validated = 0;
    let landingObjects = 0;
    for (const [key, eTag] of [...landing, ...quarantine]) {
      if (this.before.get(key) === eTag) continue;
      if (key.startsWith(lakePrefixes.landing)) landingObjects += 1;
      const id = `${key}@${eTag}`;
      if (!this.counts.has(id)) {
        const head = await this.s3.send(new HeadObjectCommand({ Bucket: stackSettings.lakeBucket, Key: key }));
        this.counts.set(id, Number(head.Metadata?.['record-count'] ?? 0));
      }
      validated += this.counts.get(id)!;
    }
    const merges = await mergeProgress(this.since);
    return { validated, landingObjects, ...merges };
  }
}

interface JobSummary {
  jobId: string;
  status: string;
  objects: number | null;
  submittedAt: string;
  error: string | null;
}

/** What the Spark job service has been given since `since`; a failed merge stops the wait. */
async function mergeProgress(since: string): Promise<{ submittedObjects: number; mergesIdle: boolean }> {
  const init = { headers: { authorization: `Bearer ${stackSettings.jobServiceToken}` } };
  const [idle, jobs] = await Promise.all([
    fetch(new URL('/idle', stackSettings.jobServiceUrl), init).then((r) => r.json() as Promise<{ idle?: boolean }>),
    fetch(new URL('/jobs', stackSettings.jobServiceUrl), init).then((r) => r.json() as Promise<{ jobs?: JobSummary[] } | JobSummary[]>),
  ]);
  const recent = (Array.isArray(jobs) ? jobs : (jobs.jobs ?? [])).filter((job) => job.submittedAt >= since);
  const failed = recent.find((job) => job.status === 'failed');
  if (failed) throw new Error(`merge job ${failed.jobId} failed: ${failed.error}`);
  return { submittedObjects: recent.reduce((sum, job) => sum + (job.objects ?? 0), 0), mergesIdle: idle.idle === true };
}

/**
 * Waits until every accepted record has been validated into the lake and the merge
 * service has been idle for two consecutive polls; throws with the last progress on timeout.
 */
export async function waitUntilSettled(
  watcher: LakeWatcher,
  accepted: number,
  options: { timeoutMs: number; pollMs?: number; onProgress?: (progress: LakeProgress) => void },
): Promise<LakeProgress> {
  const deadline = Date.now() + options.timeoutMs;
  let idlePolls = 0;
  let last: LakeProgress | undefined;
  while (Date.now() < deadline) {
    last = await watcher.progress();
    options.onProgress?.(last);
    const done = last.validated >= accepted && last.submittedObjects >= last.landingObjects && last.mergesIdle;
    idlePolls = done ? idlePolls + 1 : 0;
    if (idlePolls >= 2) return last;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 2000));
  }
  throw new Error(`pipeline did not settle in ${options.timeoutMs / 1000} s: ${JSON.stringify(last)} of ${accepted} accepted records`);
}
