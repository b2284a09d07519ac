import type { JobSubmitter, MergeJobRequest, SubmittedJob } from '../job-submitter.ts';

/**
 * Submits to the local Spark job service: POST {url}/jobs with the MergeJobRequest as
 * JSON, answered 202 with `{ jobId, deduplicated }`. The service keeps a warm Spark
 * session and coalesces queued requests for the same table into one run. It takes requests
 * that carry its token (JOB_SERVICE_TOKEN of local-stack/env.json) only.
 */
export function localJobServiceSubmitter(baseUrl: string, token: string, fetchImpl: typeof fetch = fetch): JobSubmitter {
  return {
    async submit(request: MergeJobRequest): Promise<SubmittedJob> {
      const response = await fetchImpl(new URL('/jobs', baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(request),
      });
      if (!response.ok) {
        throw new Error(`job service answered ${response.status} for ${request.source}: ${(await response.text()).slice(0, 500)}`);
      }
      return (await response.json()) as SubmittedJob;
    },
  };
}
