import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchmark } from '../lib/report.ts';
import { kafkaService, requireServices, runCommand } from '../lib/services.ts';
import type { Stage } from '../lib/stage.ts';

/** What bench/runtime-api.ts writes with --out. */
export interface RuntimeApiFigures {
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

/** The runtime's own API benchmark (bench/runtime-api.ts) as named figures. */
export function runtimeApiFigures(figures: RuntimeApiFigures) {
  const params = { connections: figures.connections, rounds: figures.rounds, secondsPerRound: figures.seconds, instances: figures.instances, handler: 'trivial (tests/fixtures/templates/api)' };
  const result = [
    benchmark('api-rps', figures['api.runtime.rps'], 'requests/s', figures['api.bare_node_http.rps'], {
      ...params,
      errors: figures['api.errors'],
      roundsRps: figures['api.runtime.rounds_rps'],
      baselineRoundsRps: figures['api.bare_node_http.rounds_rps'],
      goal: '>= 50% of baseline (median rounds)',
      goalMet: figures['api.runtime.rps'] >= 0.5 * figures['api.bare_node_http.rps'],
      baselineIs: 'bare node:http server calling the same handler in-process',
    }),
    benchmark('api-p50-latency', figures['api.runtime.p50_ms'], 'ms', figures['api.bare_node_http.p50_ms'], { ...params, baselineIs: 'bare node:http p50' }),
    benchmark('invoke-warm-p50-latency', figures['invoke_endpoint.warm.p50_ms'], 'ms', null, {
      p99Ms: figures['invoke_endpoint.warm.p99_ms'],
      measures: 'sequential warm invocations through the Lambda Invoke API endpoint',
    }),
  ];
  const cliWall = figures['local_invoke.cli_wall.median_ms'];
  if (cliWall !== undefined) {
    result.push(
      benchmark('local-invoke-wall', cliWall, 'ms', figures['local_invoke.instance_invoke.median_ms'] ?? null, {
        measures: 'npm run local:invoke of a trivial function, command start to exit (median)',
        baselineIs: 'the invocation itself in the fresh instance (REPORT Duration)',
      }),
    );
  }
  const single = figures['kafka_bridge.produce_ack_to_commit.p50_ms'];
  if (single !== undefined) {
    result.push(
      benchmark('bridge-single-record-p50-latency', single, 'ms', null, {
        p99Ms: figures['kafka_bridge.produce_ack_to_commit.p99_ms'],
        dispatchDelayP50Ms: figures['kafka_bridge.dispatch_delay.p50_ms'],
        invokeP50Ms: figures['kafka_bridge.invoke_noop.p50_ms'],
        measures: 'one record at a time, producer acknowledgement to offset commit through a no-op function (runtime-api.ts)',
      }),
    );
  }
  return result;
}

/**
 * The runtime's API overhead with a trivial handler: requests/s and latency through the
 * Docker-free API against a bare node:http server, from bench/runtime-api.ts (written with
 * the runtime), load from a separate process.
 */
export const apiStage: Stage = {
  name: 'api',
  needs: 'Kafka (npm run stack:up) for its bridge figures; the runtime starts on free ports',
  async run({ tiny, repoRoot, log }) {
    const { stackSettings } = await import('../../local-stack/services/settings.ts');
    await requireServices('api', [kafkaService(stackSettings.kafkaPort)]);
    const work = mkdtempSync(join(tmpdir(), 'ledgerflow-api-bench-'));
    try {
      const out = join(work, 'runtime-api.json');
      const [rounds, seconds] = tiny ? ['1', '1'] : ['5', '3'];
      log(`bench/runtime-api.ts --rounds ${rounds} --duration ${seconds}`);
      const outcome = await runCommand(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench/runtime-api.ts'), '--rounds', rounds, '--duration', seconds, '--out', out], {
        cwd: repoRoot,
        timeoutMs: 300_000,
      });
      if (outcome.code !== 0) throw new Error(`bench/runtime-api.ts exited with ${outcome.code}: ${outcome.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      return runtimeApiFigures(JSON.parse(readFileSync(out, 'utf8')) as RuntimeApiFigures);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};
