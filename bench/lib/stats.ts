/** Summary statistics for benchmark samples. Pure: no clocks, no I/O. */

/**
 * The p-th percentile (0..100) of the samples, interpolating linearly between the two
 * closest ranks (the default of numpy and of most spreadsheets).
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('percentile of no samples');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be between 0 and 100, got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const weight = rank - lower;
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * weight;
}

export const median = (samples: readonly number[]): number => percentile(samples, 50);

export function mean(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError('mean of no samples');
  return samples.reduce((sum, value) => sum + value, 0) / samples.length;
}

export interface Summary {
  count: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): Summary {
  return {
    count: samples.length,
    min: Math.min(...samples),
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    max: Math.max(...samples),
    mean: mean(samples),
  };
}

/** Rounds to a number of significant digits, so figures print and compare cleanly. */
export function significant(value: number, digits = 4): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  return Number(value.toPrecision(digits));
}

/** value / baseline; null when there is no meaningful baseline. */
export function ratioOf(value: number, baseline: number | null): number | null {
  if (baseline === null || baseline === 0 || !Number.isFinite(baseline)) return null;
  return Number((value / baseline).toFixed(3));
}

/** Records (or rows) per second from a count and a duration in milliseconds. */
export function perSecond(count: number, elapsedMs: number): number {
  if (elapsedMs <= 0) throw new RangeError('elapsed time must be positive');
  return (count * 1000) / elapsedMs;
}
