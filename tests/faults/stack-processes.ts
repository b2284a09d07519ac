import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackSettings } from '../../local-stack/stack.config.ts';
import { runScript } from '../../tools/pipeline/local-services.ts';

/** The stack's components this suite breaks, named as `npm run stack:status` names them. */
export type StackComponent = 'kafka' | 'minio' | 'job-service';

/**
 * The process group leader the stack recorded for a component (`.stack/pids/<name>.pid`,
 * local-stack/services/processes.ts). Each component leads a group of its own, so a signal
 * to the group also reaches its children (a JVM, a Spark driver).
 */
export function componentPid(component: StackComponent): number {
  const record = JSON.parse(readFileSync(join(stackSettings.paths.pids, `${component}.pid`), 'utf8')) as { pid: number };
  return record.pid;
}

/** Sends a signal to a component's whole process group, as `kill -<signal> -<pid>` does. */
export function signalComponent(component: StackComponent, signal: 'SIGKILL' | 'SIGSTOP' | 'SIGCONT'): void {
  process.kill(-componentPid(component), signal);
}

/** Waits until nothing of the group is left, so that a restart finds the ports free. */
export async function waitUntilGone(pid: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(-pid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`process group ${pid} still runs ${timeoutMs / 1000} s after SIGKILL`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Restarts whatever is down the way a user would: `npm run stack:up`. */
export function restartStack(): void {
  if (!runScript('stack:up', [], { quiet: true })) throw new Error('npm run stack:up failed; run it by hand to see why');
}
