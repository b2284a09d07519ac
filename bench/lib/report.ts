import type { Figure } from '@ledgerflow/lambda-runtime';
import type { MachineInfo } from './machine.ts';
import { ratioOf, significant } from './stats.ts';

/**
 * One named figure, beside the baseline measured in the same run: the runtime's figure format,
 * so that its benchmarks and these write the same JSON. `params` holds the sizes, counts and
 * settings the figure was measured with; `goal` and `goalMet` when one is set.
 */
export type Benchmark = Figure;

export interface Goal {
  /** Human-readable, e.g. ">= 50% of baseline and >= 30000 records/s". */
  text: string;
  met: boolean;
}

export function benchmark(
  name: string,
  value: number,
  unit: string,
  baseline: number | null,
  params: Record<string, unknown> = {},
  goal?: Goal,
): Benchmark {
  return {
    name,
    value: significant(value),
    unit,
    baseline: baseline === null ? null : significant(baseline),
    ratio: ratioOf(value, baseline),
    params: goal ? { ...params, goal: goal.text, goalMet: goal.met } : params,
  };
}

export interface StageFailure {
  stage: string;
  reason: string;
}

export interface Report {
  machine: MachineInfo;
  timestamp: string;
  benchmarks: Benchmark[];
  /** Stages that could not run, with why; absent when every stage ran. */
  failures?: StageFailure[];
}

export function buildReport(machine: MachineInfo, timestamp: Date, benchmarks: Benchmark[], failures: StageFailure[] = []): Report {
  const report: Report = { machine, timestamp: timestamp.toISOString(), benchmarks };
  if (failures.length > 0) report.failures = failures;
  return report;
}

function formatNumber(value: number | null): string {
  if (value === null) return '-';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return String(significant(value, 4));
}

function goalCell(params: Record<string, unknown>): string {
  if (typeof params.goal !== 'string') return '';
  return `${params.goalMet === true ? 'met' : 'MISSED'}: ${params.goal}`;
}

/** A plain-text table of the figures, columns padded to their widest cell. */
export function formatTable(benchmarks: readonly Benchmark[]): string {
  const header = ['name', 'value', 'unit', 'baseline', 'ratio', 'goal'];
  const rows = benchmarks.map((b) => [b.name, formatNumber(b.value), b.unit, formatNumber(b.baseline), b.ratio === null ? '-' : b.ratio.toFixed(3), goalCell(b.params)]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const numeric = new Set([1, 3, 4]);
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

export function formatFailures(failures: readonly StageFailure[]): string {
  return failures.map((failure) => `FAILED ${failure.stage}: ${failure.reason}`).join('\n');
}
