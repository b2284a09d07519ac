import type { JobSubmitter, MergeJobRequest, SubmittedJob } from '../job-submitter.ts';

/**
 * Submits to the local Spark job service: POST {url}/jobs with the MergeJobRequest as
 * JSON, answered 202 with `{ jobId, deduplicated }`. The service keeps a warm Spark
 * session and coalesces queued requests for the same table into one run.
 */
export function localJobServiceSubmitter(baseUrl: string, fetchImpl: typeof fetch = fetch): JobSubmitter {
  return {
    async submit(request: MergeJobRequest): Promise<SubmittedJob> {
      const response = await fetchImpl(new URL('/jobs', baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      });
      if (!response.ok) {
        throw new Error(`job service answered ${response.status} for ${request.source}: ${(await response.text()).slice(0, 500)}`);
      }
      return (await response.json()) as SubmittedJob;
    },
  };
}
