import { spawnSync } from 'node:child_process';
import { cpus, loadavg, type as osType, release, totalmem } from 'node:os';
import * as z from 'zod';
import { readConfig } from '#lib/config.ts';

/** The Java that Kafka and Spark run with: JAVA_HOME's, or the one on the PATH. */
const { JAVA_HOME } = readConfig(z.object({ JAVA_HOME: z.string().optional() }));

/** The machine a run was measured on, written beside its figures. */
export interface MachineInfo {
  cores: number;
  memoryGiB: number;
  cpuModel: string;
  node: string;
  /** The Java that runs Kafka and Spark, or null when none is on the PATH. */
  java: string | null;
  os: string;
  /** The 1, 5 and 15 minute load averages when the figures were written: other work on the machine skews them. */
  loadAverage: [number, number, number];
}

/** The version out of `java -version` (printed on stderr), e.g. "17.0.15" from `openjdk version "17.0.15" 2025-04-15`. */
export function parseJavaVersion(output: string): string | null {
  const match = /(?:openjdk|java) version "([^"]+)"/i.exec(output);
  if (!match) return null;
  const vendor = /^(OpenJDK|Java\(TM\)|.*?Runtime Environment)/m.exec(output.split('\n')[1] ?? '')?.[1];
  return vendor?.startsWith('OpenJDK') ? `OpenJDK ${match[1]}` : match[1]!;
}

export const bytesToGiB = (bytes: number): number => Math.round((bytes / 1024 ** 3) * 10) / 10;

export function javaVersion(javaHome = JAVA_HOME): string | null {
  const java = javaHome ? `${javaHome}/bin/java` : 'java';
  const result = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 10_000 });
  if (result.error || result.status !== 0) return null;
  return parseJavaVersion(`${result.stderr}${result.stdout}`);
}

export function machineInfo(): MachineInfo {
  const processors = cpus();
  return {
    cores: processors.length,
    memoryGiB: bytesToGiB(totalmem()),
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    node: process.version,
    java: javaVersion(),
    os: `${osType()} ${release()} ${process.arch}`,
    loadAverage: loadavg().map((load) => Math.round(load * 100) / 100) as [number, number, number],
  };
}
