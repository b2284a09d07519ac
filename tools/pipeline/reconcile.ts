import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientEnvironment } from '@ledgerflow/local-services';
import { stackSettings } from '../../local-stack/stack.config.ts';
import type { AcceptedRecord } from './send-records.ts';

interface Freshness {
  p50: number | null;
  p95: number | null;
  samples: number;
}

export interface SourceReconciliation {
  source: string;
  accepted: number;
  quarantined: number;
  quarantineReasons: Record<string, number>;
  valid: number;
  curated: number;
  deletesApplied: number;
  superseded: number;
  curatedRows: number;
  inBoth: number;
  lost: number;
  freshnessSeconds: Freshness;
}

export interface Reconciliation {
  sources: SourceReconciliation[];
  totals: Omit<SourceReconciliation, 'source' | 'quarantineReasons' | 'freshnessSeconds'> & { freshnessSeconds: Freshness };
}

/**
 * Asks Spark where every accepted record went (spark/ledgerflow_spark/reconcile.py):
 * counts come from the raw, quarantine and curated tables, not from expectations.
 */
export async function reconcile(accepted: AcceptedRecord[]): Promise<Reconciliation> {
  const folder = await mkdtemp(join(tmpdir(), 'ledgerflow-reconcile-'));
  try {
    const input = join(folder, 'accepted.json');
    const output = join(folder, 'result.json');
    await writeFile(input, JSON.stringify({ bucket: stackSettings.lakeBucket, accepted }));
    await runPython(['-m', 'ledgerflow_spark.reconcile', '--input', input, '--output', output]);
    return JSON.parse(await readFile(output, 'utf8')) as Reconciliation;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** A record's rows in the raw, curated and quarantine tables (spark/ledgerflow_spark/trace.py). */
export async function traceEvent(source: string, eventId: string): Promise<Record<'raw' | 'curated' | 'quarantine', Record<string, unknown>[]>> {
  const stdout = await runPython(['-m', 'ledgerflow_spark.trace', '--bucket', stackSettings.lakeBucket, '--source', source, eventId]);
  return JSON.parse(stdout);
}

export interface GoldSummary {
  transactionsDaily?: { days: number; transactions: number; volume: string; reportingCurrency: string; transactionsWithoutRate: number };
  claimsByProduct?: { product: string | null; claims: number; policies: number }[];
  policiesHistory?: { versions: number; policies: number; current: number };
}

/** Builds the gold tables (nothing is written when they are current) and returns a few of their figures (spark/ledgerflow_spark/gold.py). */
export async function goldSummary(): Promise<GoldSummary> {
  const stdout = await runPython(['-m', 'ledgerflow_spark.gold', '--bucket', stackSettings.lakeBucket, '--summary']);
  // The job and py4j log to stdout too (py4j even after the figures): the figures are the last JSON line.
  const figures = stdout.split('\n').findLast((line) => line.startsWith('{'));
  if (!figures) throw new Error(`the gold summary printed no figures:\n${stdout.slice(-2000)}`);
  return JSON.parse(figures) as GoldSummary;
}

/** Runs a module of spark/ with the venv's Python and the stack's settings; resolves with its stdout. */
export function runPython(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(stackSettings.paths.venvPython, args, {
      cwd: join(stackSettings.repoRoot, 'spark'),
      env: { ...process.env, ...clientEnvironment(stackSettings), PYTHONPATH: join(stackSettings.repoRoot, 'spark') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${args[1]} failed (exit ${code}):\n${stderr}`))));
  });
}
