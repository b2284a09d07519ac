import type { Benchmark } from './report.ts';

/** Sizes and repetitions of one run; `--tiny` shrinks every one of them. */
export interface BenchSizes {
  /** Repetitions of a timed section; the median is reported. */
  runs: number;
  /** Approximate JSON size of one record. */
  recordBytes: number;
  validateRecords: number;
  /** Target size of the Kafka event sent through local:invoke. */
  invokeEventBytes: number;
  coldStartRuns: number;
  ingestRecords: number;
  ingestClients: number;
  ingestBatch: number;
  bridgeBatches: number;
  mergeRows: number[];
  mergeTableRows: number;
  freshnessSeconds: number;
  freshnessRate: number;
}

export interface StageContext {
  tiny: boolean;
  sizes: BenchSizes;
  repoRoot: string;
  /** Progress on stderr; the table and the JSON are the results. */
  log: (message: string) => void;
  /** Records a failure of part of the stage (with its reason) while the rest still reports. */
  fail: (reason: string) => void;
}

export interface Stage {
  name: string;
  /** What must be running for the stage, in words, for --help and failures. */
  needs: string;
  run(context: StageContext): Promise<Benchmark[]>;
}

/** A stage cannot run: a service it needs is missing. Reported as a failure with its reason, never as a figure. */
export class StageUnavailableError extends Error {
  override name = 'StageUnavailableError';
}
