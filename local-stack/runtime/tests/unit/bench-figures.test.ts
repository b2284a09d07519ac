import { describe, expect, it } from 'vitest';
import { type RuntimeApiMeasurements, runtimeApiFigures } from '../../bench/figures.ts';

const apiFigures: RuntimeApiMeasurements = {
  'api.bare_node_http.rps': 10_000,
  'api.runtime.rps': 2_500,
  'api.runtime.p50_ms': 12,
  'api.runtime.p99_ms': 40,
  'api.bare_node_http.p50_ms': 3,
  'api.errors': 0,
  'invoke_endpoint.warm.p50_ms': 1.5,
  'invoke_endpoint.warm.p99_ms': 4,
  'api.bare_node_http.rounds_rps': [9_000, 10_000, 11_000],
  'api.runtime.rounds_rps': [2_400, 2_500, 2_600],
  connections: 32,
  seconds: 3,
  rounds: 3,
  instances: 2,
};

describe('runtimeApiFigures', () => {
  it('names the runtime API benchmark\'s figures, each beside its bare node:http baseline', () => {
    const figures = runtimeApiFigures(apiFigures);
    expect(figures.map((figure) => [figure.name, figure.value, figure.unit, figure.baseline, figure.ratio])).toEqual([
      ['api-rps', 2_500, 'requests/s', 10_000, 0.25],
      ['api-p50-latency', 12, 'ms', 3, 4],
      ['invoke-warm-p50-latency', 1.5, 'ms', null, null],
    ]);
    expect(figures[0]!.params).toMatchObject({ roundsRps: [2_400, 2_500, 2_600], baselineRoundsRps: [9_000, 10_000, 11_000], goalMet: false });
  });
});

describe('runtimeApiFigures with the local:invoke and bridge figures', () => {
  it('adds them when the runtime benchmark reports them', () => {
    const names = runtimeApiFigures({
      ...apiFigures,
      'local_invoke.cli_wall.median_ms': 837,
      'local_invoke.instance_invoke.median_ms': 47,
      'kafka_bridge.produce_ack_to_commit.p50_ms': 6.7,
      'kafka_bridge.produce_ack_to_commit.p99_ms': 14.1,
      'kafka_bridge.dispatch_delay.p50_ms': 0,
      'kafka_bridge.invoke_noop.p50_ms': 0.33,
    }).map((figure) => figure.name);
    expect(names).toEqual(['api-rps', 'api-p50-latency', 'invoke-warm-p50-latency', 'local-invoke-wall', 'bridge-single-record-p50-latency']);
  });
});
