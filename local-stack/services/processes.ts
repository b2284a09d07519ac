import { type SpawnOptions, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';

/**
 * Bookkeeping of the processes the stack starts: one pid file per component, each
 * process the leader of its own process group so that stopping it also stops its
 * children (a JVM's or a shell's), and checks on loopback ports.
 */

const pidRecordSchema = z.object({
  pid: z.number().int().positive(),
  /** The program that was started; guards against a recycled pid belonging to someone else. */
  executable: z.string().min(1),
  startedAt: z.string(),
});
export type PidRecord = z.infer<typeof pidRecordSchema>;

export const pidFile = (pidsDir: string, component: string) => join(pidsDir, `${component}.pid`);

export function readPidRecord(file: string): PidRecord | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = pidRecordSchema.safeParse(safeJson(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : undefined;
}

export function writePidRecord(file: string, record: PidRecord): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(record)}\n`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** True when the recorded process is alive and still runs the program we started. */
export function isRunning(record: PidRecord | undefined): record is PidRecord {
  if (!record) return false;
  try {
    process.kill(record.pid, 0);
  } catch {
    return false;
  }
  const cmdline = `/proc/${record.pid}/cmdline`;
  if (!existsSync('/proc/self')) return true; // no procfs: trust the pid
  try {
    return readFileSync(cmdline, 'utf8').split('\0').some((arg) => arg.includes(record.executable));
  } catch {
    return false; // exited meanwhile
  }
}

export interface StartOptions {
  executable: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  pidFile: string;
  /** Run as this user instead (when the stack runs as root and the program refuses to). */
  user?: { uid: number; gid: number };
}

/** Starts a long-running process detached, in its own process group, logging to a file. */
export function startDetached(options: StartOptions): PidRecord {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, 'a');
  const spawnOptions: SpawnOptions = { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', log, log], ...options.user };
  const child = spawn(options.executable, options.args, spawnOptions);
  closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${options.executable}`);
  child.unref();
  const record = { pid: child.pid, executable: options.executable, startedAt: new Date().toISOString() };
  writePidRecord(options.pidFile, record);
  return record;
}

/**
 * Stops a recorded process group: SIGTERM, then SIGKILL after the grace period. The
 * pid file is removed once nothing of the group is left.
 */
export async function stopRecorded(file: string, graceMs = 20_000): Promise<'stopped' | 'not-running'> {
  const record = readPidRecord(file);
  if (!isRunning(record)) {
    rmSync(file, { force: true });
    return 'not-running';
  }
  await stopGroup(record.pid, graceMs);
  rmSync(file, { force: true });
  return 'stopped';
}

/** SIGTERM to a process group, SIGKILL after the grace period; resolves once nothing of the group is left. */
export async function stopGroup(pid: number, graceMs: number): Promise<void> {
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await sleep(200);
  if (groupAlive(pid)) {
    signalGroup(pid, 'SIGKILL');
    while (groupAlive(pid)) await sleep(100);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when something accepts TCP connections on host:port. */
export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Waits until no listener is left on any of the ports; returns the ports still taken. */
export async function waitForPortsFree(ports: number[], timeoutMs = 15_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const taken = (await Promise.all(ports.map(async (port) => ((await isPortOpen(port)) ? port : undefined)))).filter(
      (port): port is number => port !== undefined,
    );
    if (taken.length === 0 || Date.now() >= deadline) return taken;
    await sleep(250);
  }
}

/** The last lines of a log, to show next to an error. */
export function tailOf(file: string, lines = 15): string {
  if (!existsSync(file)) return '(no log yet)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
