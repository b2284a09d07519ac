import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PidRecord } from './processes.ts';

/** A component's answer to "can the project use you right now?". */
export type Health = { healthy: true; detail: string } | { healthy: false; reason: string };

export const healthy = (detail: string): Health => ({ healthy: true, detail });
export const unhealthy = (reason: string): Health => ({ healthy: false, reason });

/** Something `stack:install` puts under .stack/ once. */
export interface Installable {
  name: string;
  /** A build that keeps the cores busy (the others mostly wait on downloads): it runs beside them. */
  cpuBound?: boolean;
  isInstalled(): boolean;
  install(): Promise<void>;
}

/** A long-running process of the stack. */
export interface Service {
  name: string;
  ports: number[];
  logFile: string;
  pidFile: string;
  /** How long a cold start may take before `up` gives up. */
  startTimeoutMs: number;
  /** False when the service is not part of this checkout (yet). */
  isEnabled(): boolean;
  /** Spawns the process; the caller has checked that it is installed and not running. */
  start(): Promise<PidRecord>;
  /** The server answers at all (it may still lack topics or buckets). */
  isAnswering(): Promise<boolean>;
  /** Creates what the project expects to find (topics, bucket); idempotent. */
  provision?(): Promise<void>;
  /** Usable by the project: answers and has what `provision` creates. */
  health(): Promise<Health>;
}

/**
 * An install is complete when its marker holds the expected fingerprint (versions,
 * requirements). The marker is written last, so an interrupted install is redone, and
 * a changed pin is installed again.
 */
export const installMarker = {
  matches(dir: string, fingerprint: string): boolean {
    const file = join(dir, '.installed');
    return existsSync(file) && readFileSync(file, 'utf8').trim() === fingerprint;
  },
  write(dir: string, fingerprint: string): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '.installed'), `${fingerprint}\n`);
  },
};
