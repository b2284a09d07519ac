import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, relative } from 'node:path';

/** Console output of the stack commands: one line per step, heartbeats on long ones. */

let quiet = false;
export const setQuiet = (value: boolean) => {
  quiet = value;
};

export function say(message: string): void {
  if (!quiet) console.log(message);
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Shows a path inside the working directory relative to it, as users type it; others in full. */
export function shown(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside === '' ? '.' : inside.startsWith('..') ? path : inside;
}

/** Runs one step, printing its name, its outcome and how long it took. */
export async function step<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  say(`… ${label}`);
  try {
    const result = await work();
    say(`✓ ${label} (${seconds(started)})`);
    return result;
  } catch (error) {
    say(`✗ ${label} (${seconds(started)})`);
    throw error;
  }
}

export class CommandError extends Error {
  override name = 'CommandError';
}

/**
 * Runs an installer command with its output in a log file, printing a heartbeat every
 * 20 s so that a three-minute build does not look like a hang.
 */
export function runLogged(
  what: string,
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; logFile: string; user?: { uid: number; gid: number } },
): Promise<void> {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  log.write(`\n$ ${command} ${args.join(' ')}\n`);
  const started = Date.now();
  const heartbeat = setInterval(() => say(`    ${what}: still running (${seconds(started)}, log ${shown(options.logFile)})`), 20_000);
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], ...options.user });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    const finish = (error?: Error) => {
      clearInterval(heartbeat);
      log.end(() => (error ? reject(error) : resolve()));
    };
    child.once('error', (error) => finish(new CommandError(`${what}: cannot run ${command} (${error.message})`, { cause: error })));
    child.once('close', (code, signal) => {
      if (code === 0) finish();
      else finish(new CommandError(`${what} failed (${signal ?? `exit code ${code}`}); see ${shown(options.logFile)}`));
    });
  });
}
