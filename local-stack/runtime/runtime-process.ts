import { spawn } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { packageDir } from './package-dir.ts';

export interface ServerProcess {
  url: string;
  /** The last few KB the process printed (function output included), for error messages. */
  outputTail(): string;
  stop(): Promise<void>;
}

/** Starts `<node> <args>` and waits until `ready` finds the server's URL in what it prints. */
export function serverProcess(node: string, args: string[], ready: (output: string) => string | undefined, cwd?: string): Promise<ServerProcess> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(node, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let started = false;
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} was not ready within 120 s: ${output.slice(-500)}`)), 120_000);
    const onOutput = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4096);
      const url = started ? undefined : ready(output);
      if (!url) return;
      started = true;
      clearTimeout(timer);
      const stop = () =>
        new Promise<void>((done) => {
          if (child.exitCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
        });
      resolvePromise({ url, outputTail: () => output, stop });
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${output.slice(-500)}`)));
  });
}

export interface RuntimeProcessOptions {
  /** `api`, or `start` without the bridges (API and Invoke API only). */
  command: 'api' | 'start';
  /** Further command-line options (`--template`, `--env-vars`, `--state-dir`, `--parameter-overrides` ...). */
  args: string[];
  instances: number;
  /** The working directory (default: this process's). */
  cwd?: string;
}

/**
 * The runtime's command line in a child process, as a user runs it (the bundled command
 * line on Lambda's Node.js), on free ports; resolves once it serves.
 */
export async function startRuntimeProcess(options: RuntimeProcessOptions): Promise<ServerProcess & { invokeUrl?: string }> {
  const [apiPort, invokePort] = [await freePort(), await freePort()];
  const args = [join(packageDir, 'bin/lambda-runtime.mjs'), options.command, ...options.args, '--port', String(apiPort), '--instances', String(options.instances)];
  if (options.command === 'start') args.push('--no-kafka', '--no-kinesis', '--no-s3', '--invoke-port', String(invokePort));
  const readyLine = options.command === 'start' ? 'Lambda Invoke API' : 'docs: ';
  const server = await serverProcess(process.execPath, args, (output) => (output.includes(readyLine) ? `http://127.0.0.1:${apiPort}` : undefined), options.cwd);
  return options.command === 'start' ? { ...server, invokeUrl: `http://127.0.0.1:${invokePort}` } : server;
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePromise(port));
    });
  });
}
