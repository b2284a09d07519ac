/** One landing object to merge. */
export interface LandingObject {
  key: string;
  size: number;
  eTag: string;
  sequencer: string;
}

/** Work for the Spark merge job: landing objects of one source. */
export interface MergeJobRequest {
  source: string;
  bucket: string;
  objects: LandingObject[];
  /** Same objects, same key: a repeated S3 event must not start a second merge. */
  idempotencyKey: string;
}

export interface SubmittedJob {
  jobId: string;
  /** True when an equal request had been submitted before and no new run was started. */
  deduplicated: boolean;
}

/** Starts merge jobs: the local Spark job service or EMR Serverless, chosen by configuration. */
export interface JobSubmitter {
  submit(request: MergeJobRequest): Promise<SubmittedJob>;
}
