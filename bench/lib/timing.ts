import { median } from './stats.ts';

export interface Alternated {
  /** Elapsed wall-clock milliseconds of each timed run, per contender. */
  wall: Record<string, number[]>;
  /** CPU milliseconds (user + system, all threads of this process) of each timed run. */
  cpu: Record<string, number[]>;
  medians: { wall: Record<string, number>; cpu: Record<string, number> };
}

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * Times each contender `runs` times after `warmup` untimed rounds, alternating them
 * round by round so that a noisy neighbour on a shared machine hits them alike. CPU
 * time is kept beside wall time: on a loaded machine it is the steadier of the two for
 * work that runs on this process alone.
 */
export async function alternate(contenders: Record<string, () => unknown>, options: { runs: number; warmup: number }): Promise<Alternated> {
  const names = Object.keys(contenders);
  const wall: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < options.warmup + options.runs; round++) {
    for (const name of names) {
      const startedCpu = cpuMs();
      const started = performance.now();
      await contenders[name]!();
      const elapsed = performance.now() - started;
      const elapsedCpu = cpuMs() - startedCpu;
      if (round >= options.warmup) {
        wall[name]!.push(elapsed);
        cpu[name]!.push(elapsedCpu);
      }
    }
  }
  const medianOf = (samples: Record<string, number[]>) => Object.fromEntries(names.map((name) => [name, median(samples[name]!)]));
  return { wall, cpu, medians: { wall: medianOf(wall), cpu: medianOf(cpu) } };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
