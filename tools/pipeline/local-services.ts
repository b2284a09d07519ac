import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { isPortOpen, stopGroup } from '@ledgerflow/local-services';
import { localStage, stackSettings } from '../../local-stack/stack.config.ts';

const repoRoot = stackSettings.repoRoot;

/** Runs one of the project's npm scripts with its output shown; throws when it fails. */
export function runScript(script: string, args: string[] = [], options: { quiet?: boolean } = {}): boolean {
  const result = spawnSync('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], {
    cwd: repoRoot,
    stdio: options.quiet ? 'ignore' : 'inherit',
  });
  return result.status === 0;
}

/** Whether every component of the local stack is up and healthy. */
export const isStackUp = (): boolean => runScript('stack:status', ['--quiet'], { quiet: true });

/** Installs what is missing and starts the stack (idempotent); throws when it fails. */
export function startStack(): void {
  if (!runScript('stack:up')) throw new Error('stack:up failed (see the output above)');
}

export interface RuntimeProcess {
  apiUrl: string;
  logFile: string;
  pid: number;
  /** Resolves once the API answers; throws when the runtime exits or takes too long. */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The stream between ingest and validation: the template's StreamEngine parameter. */
export type StreamEngine = 'kafka' | 'kinesis';

/** Template parameters of a local run over that stream: Kinesis runs use the streams the stack creates for Stage=local. */
export const streamParameterOverrides = (stream: StreamEngine): string[] => (stream === 'kinesis' ? ['StreamEngine=kinesis', `Stage=${localStage}`] : []);

export interface DetachedProcess {
  pid: number;
  /** Null while it runs. */
  exitCode(): number | null;
  /** Signals its whole process group, SIGKILL after the grace period; resolves once every process of the group has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns a command in a process group of its own, its output appended to a log file, and
 * unreferenced, so that it can outlive this process (demo --keep-running). Stopping it
 * references it again: an unreferenced child and timer keep nothing alive, and Node would
 * end this process, exit code 0, in the middle of the caller's clean-up.
 */
export function launchDetached(command: string, args: string[], options: { cwd: string; logFile: string }): DetachedProcess {
  const log = openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  child.unref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Done when the whole group is gone: npm exits before the runtime it started has let go of its ports.
  const stop = async (graceMs = 15_000) => {
    child.ref();
    await stopGroup(child.pid!, graceMs);
    await exited;
  };
  return { pid: child.pid!, exitCode: () => child.exitCode, stop };
}

/** Where `local:start` serves the API. */
const runtimeApiPort = 3000;

/**
 * Spawns the Docker-free runtime (`local:start`) in the background, its output in a log
 * file. Returns at once, so that a caller can stop it even while it is still starting.
 */
export async function launchRuntime(options: { stream?: StreamEngine; kafka?: boolean } = {}): Promise<RuntimeProcess> {
  // Otherwise the API of a runtime started earlier would answer in place of this one.
  if (await isPortOpen(runtimeApiPort)) throw new Error(`port ${runtimeApiPort} is in use: stop the runtime (or whatever listens there) first`);
  mkdirSync(stackSettings.paths.logs, { recursive: true });
  const logFile = join(stackSettings.paths.logs, 'local-runtime.log');
  const overrides = streamParameterOverrides(options.stream ?? 'kafka');
  // --parameter-overrides takes the values after it: it comes last.
  const runtimeArgs = [...(options.kafka === false ? ['--no-kafka'] : []), ...(overrides.length > 0 ? ['--parameter-overrides', ...overrides] : [])];
  const args = ['run', '--silent', 'local:start', ...(runtimeArgs.length > 0 ? ['--', ...runtimeArgs] : [])];
  // npm runs the runtime in a child process of its own: stop() signals the whole group.
  const child = launchDetached('npm', args, { cwd: repoRoot, logFile });
  const apiUrl = `http://127.0.0.1:${runtimeApiPort}`;
  async function ready(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode() !== null) throw new Error(`the local runtime exited with code ${child.exitCode()}; see ${logFile}`);
      if (await fetch(`${apiUrl}/openapi.json`).then((r) => r.ok, () => false)) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await child.stop();
    throw new Error(`the local runtime did not answer on ${apiUrl} in time; see ${logFile}`);
  }
  return { apiUrl, logFile, pid: child.pid, ready, stop: () => child.stop() };
}

/** Starts the Docker-free runtime and waits until its API answers. */
export async function startRuntime(options: { timeoutMs?: number; stream?: StreamEngine; kafka?: boolean } = {}): Promise<RuntimeProcess> {
  const runtime = await launchRuntime({ stream: options.stream, kafka: options.kafka });
  await runtime.ready(options.timeoutMs);
  return runtime;
}

/** A bearer token the local authorizer accepts. */
export function localToken(): string {
  const result = spawnSync('npm', ['run', '--silent', 'local:token'], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`local:token failed: ${result.stderr}`);
  return result.stdout.trim();
}
