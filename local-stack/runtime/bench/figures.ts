/** One named figure, beside the baseline measured in the same run (the shape the application's benchmarks use too). */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline: number | null;
  /** value / baseline, or null without a baseline. */
  ratio: number | null;
  params: Record<string, unknown>;
}

export function figure(name: string, value: number, unit: string, baseline: number | null, params: Record<string, unknown> = {}): Figure {
  const rounded = (number: number) => (number === 0 || !Number.isFinite(number) ? number : Number(number.toPrecision(4)));
  const ratio = baseline === null || baseline === 0 || !Number.isFinite(baseline) ? null : Number((value / baseline).toFixed(3));
  return { name, value: rounded(value), unit, baseline: baseline === null ? null : rounded(baseline), ratio, params };
}

/** What runtime-api.ts measures, before it is named. */
export interface RuntimeApiMeasurements {
  'api.bare_node_http.rps': number;
  'api.runtime.rps': number;
  'api.runtime.p50_ms': number;
  'api.runtime.p99_ms': number;
  'api.bare_node_http.p50_ms': number;
  'api.errors': number;
  'invoke_endpoint.warm.p50_ms': number;
  'invoke_endpoint.warm.p99_ms': number;
  'local_invoke.cli_wall.median_ms'?: number;
  'local_invoke.instance_invoke.median_ms'?: number;
  'kafka_bridge.produce_ack_to_commit.p50_ms'?: number;
  'kafka_bridge.produce_ack_to_commit.p99_ms'?: number;
  'kafka_bridge.dispatch_delay.p50_ms'?: number;
  'kafka_bridge.invoke_noop.p50_ms'?: number;
  'api.bare_node_http.rounds_rps': number[];
  'api.runtime.rounds_rps': number[];
  connections: number;
  seconds: number;
  rounds: number;
  instances: number;
}

/** The runtime's API benchmark as named figures. */
export function runtimeApiFigures(measured: RuntimeApiMeasurements): Figure[] {
  const params = { connections: measured.connections, rounds: measured.rounds, secondsPerRound: measured.seconds, instances: measured.instances, handler: 'trivial (tests/fixtures/api)' };
  const result = [
    figure('api-rps', measured['api.runtime.rps'], 'requests/s', measured['api.bare_node_http.rps'], {
      ...params,
      errors: measured['api.errors'],
      roundsRps: measured['api.runtime.rounds_rps'],
      baselineRoundsRps: measured['api.bare_node_http.rounds_rps'],
      goal: '>= 50% of baseline (median rounds)',
      goalMet: measured['api.runtime.rps'] >= 0.5 * measured['api.bare_node_http.rps'],
      baselineIs: 'bare node:http server calling the same handler in-process',
    }),
    figure('api-p50-latency', measured['api.runtime.p50_ms'], 'ms', measured['api.bare_node_http.p50_ms'], { ...params, baselineIs: 'bare node:http p50' }),
    figure('invoke-warm-p50-latency', measured['invoke_endpoint.warm.p50_ms'], 'ms', null, {
      p99Ms: measured['invoke_endpoint.warm.p99_ms'],
      measures: 'sequential warm invocations through the Lambda Invoke API endpoint',
    }),
  ];
  const cliWall = measured['local_invoke.cli_wall.median_ms'];
  if (cliWall !== undefined) {
    result.push(
      figure('local-invoke-wall', cliWall, 'ms', measured['local_invoke.instance_invoke.median_ms'] ?? null, {
        measures: 'lambda-runtime invoke of a trivial function, command start to exit (median)',
        baselineIs: 'the invocation itself in the fresh instance (REPORT Duration)',
      }),
    );
  }
  const single = measured['kafka_bridge.produce_ack_to_commit.p50_ms'];
  if (single !== undefined) {
    result.push(
      figure('bridge-single-record-p50-latency', single, 'ms', null, {
        p99Ms: measured['kafka_bridge.produce_ack_to_commit.p99_ms'],
        dispatchDelayP50Ms: measured['kafka_bridge.dispatch_delay.p50_ms'],
        invokeP50Ms: measured['kafka_bridge.invoke_noop.p50_ms'],
        measures: 'one record at a time, producer acknowledgement to offset commit through a no-op function',
      }),
    );
  }
  return result;
}

/** A plain-text table of the figures. */
export function formatFigures(figures: readonly Figure[]): string {
  const rows = [['name', 'value', 'unit', 'baseline', 'ratio'], ...figures.map((item) => [item.name, String(item.value), item.unit, item.baseline === null ? '-' : String(item.baseline), item.ratio === null ? '-' : item.ratio.toFixed(3)])];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}
