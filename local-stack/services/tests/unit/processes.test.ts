import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  isPortOpen,
  isRunning,
  pidFile,
  readPidRecord,
  startDetached,
  stopRecorded,
  tailOf,
  waitForPortsFree,
  writePidRecord,
} from '../../processes.ts';

const scratch = () => mkdtempSync(join(tmpdir(), 'local-services-'));

describe('pid files', () => {
  it('round-trips a record', () => {
    const file = pidFile(scratch(), 'kafka');
    const record = { pid: 1234, executable: 'java', startedAt: '2026-01-01T00:00:00.000Z' };

    writePidRecord(file, record);

    expect(file.endsWith('kafka.pid')).toBe(true);
    expect(readPidRecord(file)).toEqual(record);
  });

  it('treats a missing or corrupt pid file as no record', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'minio.pid'), 'not json');

    expect(readPidRecord(join(dir, 'absent.pid'))).toBeUndefined();
    expect(readPidRecord(join(dir, 'minio.pid'))).toBeUndefined();
  });

  it('does not take a live pid running another program for ours', () => {
    expect(isRunning({ pid: process.pid, executable: process.execPath, startedAt: '' })).toBe(true);
    expect(isRunning({ pid: process.pid, executable: '/no/such/minio', startedAt: '' })).toBe(false);
  });
});

describe('starting and stopping a process group', () => {
  it('stops the recorded process and its children, then removes the pid file', async () => {
    const dir = scratch();
    const file = pidFile(dir, 'sleeper');
    // a shell whose child would outlive it if only the shell were signalled
    const record = startDetached({
      executable: '/bin/sh',
      args: ['-c', 'sleep 300 & echo started; wait'],
      cwd: dir,
      env: process.env,
      logFile: join(dir, 'logs/sleeper.log'),
      pidFile: file,
    });
    const log = join(dir, 'logs/sleeper.log');
    await until(() => existsSync(log) && readFileSync(log, 'utf8').includes('started'));
    expect(isRunning(readPidRecord(file))).toBe(true);

    expect(await stopRecorded(file)).toBe('stopped');

    expect(existsSync(file)).toBe(false);
    expect(groupExists(record.pid)).toBe(false);
  });

  it('reports a stale record as not running and cleans it up', async () => {
    const dir = scratch();
    const file = pidFile(dir, 'gone');
    const child = spawn('/bin/true');
    await new Promise((resolve) => child.once('exit', resolve));
    writePidRecord(file, { pid: child.pid!, executable: '/bin/true', startedAt: '' });

    expect(await stopRecorded(file)).toBe('not-running');
    expect(existsSync(file)).toBe(false);
  });
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

function groupExists(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('ports', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('sees a listener on a loopback port and sees it go away', async () => {
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;

    expect(await isPortOpen(port)).toBe(true);
    await new Promise((resolve) => server!.close(resolve));
    expect(await waitForPortsFree([port], 5_000)).toEqual([]);
  });

  it('returns the ports still taken when time runs out', async () => {
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;

    expect(await waitForPortsFree([port], 300)).toEqual([port]);
  });
});

describe('log tails', () => {
  it('shows the last lines of a log, or says there is none', () => {
    const file = join(scratch(), 'x.log');
    writeFileSync(file, Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n'));

    expect(tailOf(file, 2)).toBe('line 29\nline 30');
    expect(tailOf(join(scratch(), 'none.log'))).toBe('(no log yet)');
  });
});
