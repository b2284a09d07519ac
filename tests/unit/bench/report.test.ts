import { describe, expect, it } from 'vitest';
import type { MachineInfo } from '../../../bench/lib/machine.ts';
import { benchmark, buildReport, formatFailures, formatTable } from '../../../bench/lib/report.ts';

const machine: MachineInfo = { cores: 2, memoryGiB: 23.5, cpuModel: 'AMD EPYC', node: 'v20.20.2', java: 'OpenJDK 17.0.15', os: 'Linux 6.1 x64', loadAverage: [1.5, 2, 2.25] };

describe('benchmark', () => {
  it('keeps name, unit and params and computes the ratio to the baseline', () => {
    const figure = benchmark('validate', 60_000, 'records/s', 200_000, { records: 10_000 });
    expect(figure).toEqual({ name: 'validate', value: 60_000, unit: 'records/s', baseline: 200_000, ratio: 0.3, params: { records: 10_000 } });
  });

  it('records the goal and whether it was met in params', () => {
    const figure = benchmark('bridge', 12.5, 'ms', 40, {}, { text: '< 50 ms at p95', met: true });
    expect(figure.params).toEqual({ goal: '< 50 ms at p95', goalMet: true });
  });

  it('rounds value and baseline to four significant digits', () => {
    const figure = benchmark('merge', 12_345.678, 'rows/s', 23_456.789);
    expect(figure.value).toBe(12_350);
    expect(figure.baseline).toBe(23_460);
    expect(figure.ratio).toBe(0.526);
  });

  it('has a null ratio when there is no baseline', () => {
    expect(benchmark('job-service-cold-start', 9.5, 's', null).ratio).toBeNull();
  });
});

describe('buildReport', () => {
  it('holds machine, ISO timestamp and figures, and survives a JSON round trip', () => {
    const figures = [benchmark('ingest', 31_000, 'records/s', 55_000)];
    const report = buildReport(machine, new Date('2026-11-24T19:00:00Z'), figures);
    expect(JSON.parse(JSON.stringify(report))).toEqual({ machine, timestamp: '2026-11-24T19:00:00.000Z', benchmarks: figures });
  });

  it('lists the stages that could not run', () => {
    const report = buildReport(machine, new Date(0), [], [{ stage: 'merge', reason: 'job service not reachable at 127.0.0.1:3002' }]);
    expect(report.failures).toEqual([{ stage: 'merge', reason: 'job service not reachable at 127.0.0.1:3002' }]);
  });
});

describe('formatTable', () => {
  it('prints a header, a rule and one aligned row per figure', () => {
    const table = formatTable([
      benchmark('validate', 61_234, 'records/s', 204_000, {}, { text: '>= 50% of baseline', met: false }),
      benchmark('bundle-size-ingest', 312.4, 'KB', null),
    ]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^name\s+value\s+unit\s+baseline\s+ratio\s+goal$/);
    expect(lines[1]).toMatch(/^-+( +-+)+$/);
    expect(lines[2]).toContain('61,230');
    expect(lines[2]).toContain('204,000');
    expect(lines[2]).toContain('0.300');
    expect(lines[2]).toContain('MISSED: >= 50% of baseline');
    expect(lines[3]).toMatch(/bundle-size-ingest\s+312\.4\s+KB\s+-\s+-$/);
  });

  it('aligns columns: every row starts its value column at the same place', () => {
    const lines = formatTable([benchmark('a', 1, 'ms', 2), benchmark('a-much-longer-name', 1000, 'ms', 2)]).split('\n');
    const ends = lines.slice(2).map((line) => line.indexOf(' ms'));
    expect(new Set(ends).size).toBe(1);
  });
});

describe('formatFailures', () => {
  it('prints one line per failed stage with its reason', () => {
    expect(formatFailures([{ stage: 'ingest', reason: 'Kafka is not reachable' }])).toBe('FAILED ingest: Kafka is not reachable');
  });
});
