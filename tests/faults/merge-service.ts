import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { lakePrefixes } from '#contracts/lake.ts';
import { sourceNames } from '#contracts/registry.ts';
import { stackSettings } from '../../local-stack/stack.config.ts';
import { lakeClient } from '../../tools/pipeline/settle.ts';

/** A job as the Spark job service lists it (spark/ledgerflow_spark/jobs.py). */
interface Job {
  source: string;
  allPending: boolean;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  startedAt: string | null;
  finishedAt: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The service's jobs, or none while it does not answer (killed, restarting). */
async function jobs(): Promise<Job[]> {
  const response = await fetch(new URL('/jobs', stackSettings.jobServiceUrl), {
    headers: { authorization: `Bearer ${stackSettings.jobServiceToken}` },
    signal: AbortSignal.timeout(5000),
  }).catch(() => undefined);
  if (!response?.ok) return [];
  const body = (await response.json()) as { jobs?: Job[] } | Job[];
  return Array.isArray(body) ? body : (body.jobs ?? []);
}

/** When a merge that started after `since` (epoch ms) first succeeded: merges run again. */
export async function firstMergeAfter(since: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const done = (await jobs()).filter((job) => job.status === 'succeeded' && job.startedAt && Date.parse(job.startedAt) >= since);
    if (done.length > 0) return Math.min(...done.map((job) => Date.parse(job.finishedAt!)));
    await sleep(1000);
  }
  throw new Error(`no merge started after ${new Date(since).toISOString()} succeeded within ${timeoutMs / 1000} s`);
}

/** When the newest landing object was written. */
async function lastLandingWrite(): Promise<number> {
  const s3 = lakeClient();
  let newest = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: stackSettings.lakeBucket, Prefix: lakePrefixes.landing, ContinuationToken: token }));
    for (const object of page.Contents ?? []) newest = Math.max(newest, object.LastModified!.getTime());
    token = page.NextContinuationToken;
  } while (token);
  return newest;
}

/**
 * Waits, without asking for anything, until every landing object is merged: for every
 * source, a sweep of the job service (an all-pending merge, queued at its start and every
 * minute) started after the newest landing object was written and succeeded. The sweep
 * merges every object not done in the merge ledger, whatever triggers a fault lost.
 */
export async function waitUntilSwept(timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const newest = await lastLandingWrite();
  while (Date.now() < deadline) {
    const all = await jobs();
    const swept = sourceNames().every((source) =>
      all.some((job) => job.source === source && job.allPending && job.status === 'succeeded' && job.startedAt && Date.parse(job.startedAt) > newest),
    );
    if (swept) return Date.now();
    await sleep(2000);
  }
  throw new Error(`no successful sweep of every source within ${timeoutMs / 1000} s after the last landing object (${new Date(newest).toISOString()})`);
}
