import { spawn } from 'node:child_process';
import { stackSettings } from '../../local-stack/stack.config.ts';

export interface LakeScanRun {
  status: number | null;
  /** One line per finding, then the summary line. */
  stdout: string;
  stderr: string;
}

/** Runs `npm run lake:scan -- <args>` as a user would, for tests and scripts. */
export function runLakeScan(args: string[]): Promise<LakeScanRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'lake:scan', '--', '--quiet', ...args], { cwd: stackSettings.repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
