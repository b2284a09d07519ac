import { median } from './stats.ts';

export interface Alternated {
  /** Elapsed milliseconds of each timed run, per contender. */
  samples: Record<string, number[]>;
  medians: Record<string, number>;
}

/**
 * Times each contender `runs` times after `warmup` untimed rounds, alternating them
 * round by round so that a noisy neighbour on a shared machine hits them alike.
 */
export async function alternate(contenders: Record<string, () => unknown>, options: { runs: number; warmup: number }): Promise<Alternated> {
  const names = Object.keys(contenders);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < options.warmup + options.runs; round++) {
    for (const name of names) {
      const started = performance.now();
      await contenders[name]!();
      const elapsed = performance.now() - started;
      if (round >= options.warmup) samples[name]!.push(elapsed);
    }
  }
  const medians = Object.fromEntries(names.map((name) => [name, median(samples[name]!)]));
  return { samples, medians };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
