import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const folder = mkdtempSync(join(tmpdir(), 'detached-process-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Runs `body` in a Node process of its own, as the demo runs: only what it references keeps it alive. */
function runScript(body: string) {
  const script = `import { launchDetached } from ${JSON.stringify(join(import.meta.dirname, '../../../tools/pipeline/local-services.ts'))};\n${body}`;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
}

// Each test starts Node with the TypeScript loader: seconds on a loaded machine.
describe('launchDetached', { timeout: 60_000 }, () => {
  it('keeps the caller alive until a stopped process has exited, so clean-up after it still runs', () => {
    const logFile = join(folder, 'term.log');
    const result = runScript(`
      const child = launchDetached('sh', ['-c', 'echo started; exec sleep 60'], { cwd: ${JSON.stringify(folder)}, logFile: ${JSON.stringify(logFile)} });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await child.stop();
      console.log('after stop', child.pid);
    `);
    expect(result.stderr).toBe('');
    const [, pid] = /after stop (\d+)/.exec(result.stdout) ?? [];
    expect(pid).toBeDefined();
    expect(isRunning(Number(pid))).toBe(false);
    expect(readFileSync(logFile, 'utf8')).toContain('started');
  });

  it('kills a process that ignores SIGTERM once the grace period is over', () => {
    const result = runScript(`
      const child = launchDetached('sh', ['-c', 'trap "" TERM; while true; do sleep 0.1; done'], { cwd: ${JSON.stringify(folder)}, logFile: ${JSON.stringify(join(folder, 'kill.log'))} });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await child.stop(500);
      console.log('after stop', child.pid);
    `);
    const [, pid] = /after stop (\d+)/.exec(result.stdout) ?? [];
    expect(pid).toBeDefined();
    expect(isRunning(Number(pid))).toBe(false);
  });

  it('waits for every process of the group, not only the one it started (npm exits before the runtime it runs)', () => {
    const result = runScript(`
      const child = launchDetached('sh', ['-c', '(trap "sleep 1; exit 0" TERM; while true; do sleep 0.1; done) & echo worker $!; exit 0'], { cwd: ${JSON.stringify(folder)}, logFile: ${JSON.stringify(join(folder, 'group.log'))} });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await child.stop();
      console.log('after stop', child.pid);
    `);
    const worker = Number(/worker (\d+)/.exec(readFileSync(join(folder, 'group.log'), 'utf8'))?.[1]);
    expect(result.stdout).toContain('after stop');
    expect(worker).toBeGreaterThan(0);
    expect(isRunning(worker)).toBe(false);
  });

  it('lets the caller exit while the process runs on, unless stopped (demo --keep-running)', () => {
    const result = runScript(`
      const child = launchDetached('sleep', ['60'], { cwd: ${JSON.stringify(folder)}, logFile: ${JSON.stringify(join(folder, 'keep.log'))} });
      console.log('pid', child.pid);
    `);
    const pid = Number(/pid (\d+)/.exec(result.stdout)?.[1]);
    expect(result.status).toBe(0);
    expect(isRunning(pid)).toBe(true);
    process.kill(-pid, 'SIGKILL');
  });
});
