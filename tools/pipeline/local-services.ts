import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { stackSettings } from '../../local-stack/services/settings.ts';

const repoRoot = stackSettings.repoRoot;
const tsx = join(repoRoot, 'node_modules/.bin/tsx');

/** Runs one of the project's npm scripts with its output shown; throws when it fails. */
export function runScript(script: string, args: string[] = [], options: { quiet?: boolean } = {}): boolean {
  const result = spawnSync('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], {
    cwd: repoRoot,
    stdio: options.quiet ? 'ignore' : 'inherit',
  });
  return result.status === 0;
}

/** Installs what is missing and starts the stack unless it is already healthy; says whether it started it. */
export function ensureStack(): { started: boolean } {
  if (!runScript('stack:install')) throw new Error('stack:install failed (see the output above)');
  if (runScript('stack:status', ['--quiet'], { quiet: true })) return { started: false };
  if (!runScript('stack:up')) throw new Error('stack:up failed (see the output above)');
  return { started: true };
}

export interface RuntimeProcess {
  apiUrl: string;
  logFile: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts the Docker-free runtime (`local:start`) in the background, its output in a log file. */
export async function startRuntime(options: { timeoutMs?: number } = {}): Promise<RuntimeProcess> {
  mkdirSync(stackSettings.paths.logs, { recursive: true });
  const logFile = join(stackSettings.paths.logs, 'local-runtime.log');
  // Output straight to the log file, so the runtime can outlive this process (demo --keep-running).
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(tsx, ['local-stack/runtime/cli.ts', 'start'], { cwd: repoRoot, stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  child.unref();
  const apiUrl = 'http://127.0.0.1:3000';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the local runtime exited with code ${child.exitCode}; see ${logFile}`);
    const ready = await fetch(`${apiUrl}/openapi.json`).then((r) => r.ok, () => false);
    if (ready) {
      return {
        apiUrl,
        logFile,
        pid: child.pid!,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
        },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  child.kill('SIGTERM');
  throw new Error(`the local runtime did not answer on ${apiUrl} in time; see ${logFile}`);
}

/** A bearer token the local authorizer accepts. */
export function localToken(): string {
  const result = spawnSync(tsx, ['local-stack/runtime/cli.ts', 'token'], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`local:token failed: ${result.stderr}`);
  return result.stdout.trim();
}
