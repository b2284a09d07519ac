import { spawn } from 'node:child_process';
import { isPortOpen } from '@ledgerflow/local-services';
import { StageUnavailableError } from './stage.ts';

/** Whether something accepts TCP connections at host:port within the timeout. */
export const reachable = (host: string, port: number, timeoutMs = 1500): Promise<boolean> => isPortOpen(port, host, timeoutMs);

export interface Service {
  name: string;
  host: string;
  port: number;
  /** How to get it running, for the failure message. */
  hint: string;
}

/** Fails the stage with the reason when a service it needs does not answer. */
export async function requireServices(stage: string, services: Service[]): Promise<void> {
  const missing: Service[] = [];
  for (const service of services) if (!(await reachable(service.host, service.port))) missing.push(service);
  if (missing.length > 0) {
    throw new StageUnavailableError(
      `${stage} needs ${missing.map((s) => `${s.name} at ${s.host}:${s.port}`).join(' and ')}, which ${missing.length > 1 ? 'do' : 'does'} not answer (${[...new Set(missing.map((s) => s.hint))].join('; ')})`,
    );
  }
}

type LocalStackSettings = (typeof import('../../local-stack/stack.config.ts'))['stackSettings'];

/**
 * The local stack's settings, once the services a stage needs answer. Loaded when a stage
 * runs, so that listing or skipping stages does not read the stack's configuration.
 */
export async function requireStack(stage: string, needed: (settings: LocalStackSettings) => Service[]): Promise<LocalStackSettings> {
  const { stackSettings } = await import('../../local-stack/stack.config.ts');
  await requireServices(stage, needed(stackSettings));
  return stackSettings;
}

export const kafkaService = (port = 9092): Service => ({ name: 'Kafka', host: '127.0.0.1', port, hint: 'start the stack: npm run stack:up' });
export const minioService = (port = 9000): Service => ({ name: 'MinIO', host: '127.0.0.1', port, hint: 'start the stack: npm run stack:up' });
export const jobService = (port = 3002): Service => ({ name: 'the Spark job service', host: '127.0.0.1', port, hint: 'start the stack: npm run stack:up' });

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** Runs a command to completion, capturing its output, with a time limit. */
export function runCommand(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, elapsedMs: performance.now() - started });
    });
  });
}
