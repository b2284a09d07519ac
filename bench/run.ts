import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveSizes, selectStages, sizeFlags } from './lib/cli.ts';
import { machineInfo } from './lib/machine.ts';
import { type Benchmark, buildReport, formatFailures, formatTable, type StageFailure } from './lib/report.ts';
import type { Stage } from './lib/stage.ts';
import { bridgeStage } from './stages/bridge.ts';
import { bridgeKinesisStage } from './stages/bridge-kinesis.ts';
import { coldStartStage } from './stages/cold-start.ts';
import { freshnessStage } from './stages/freshness.ts';
import { ingestStage } from './stages/ingest.ts';
import { ingestKinesisStage } from './stages/ingest-kinesis.ts';
import { mergeStage } from './stages/merge.ts';
import { validateStage } from './stages/validate.ts';
import { validateInvokeStage } from './stages/validate-invoke.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** In the order a full run takes them: pure logic first, then the stack-bound stages. */
const stages: Stage[] = [validateStage, coldStartStage, validateInvokeStage, ingestStage, ingestKinesisStage, bridgeStage, bridgeKinesisStage, mergeStage, freshnessStage];

const usage = `Usage: npm run bench -- [--out <file.json>] [--only <stage>[,<stage>...]] [--tiny] [size flags]

Runs the benchmarks, prints a table and writes one JSON object with the machine, the
timestamp and every figure beside its baseline. A stage whose services are missing
fails with the reason (exit code 1); it never reports a figure.

Stages:
${stages.map((stage) => `  ${stage.name.padEnd(16)} needs ${stage.needs}`).join('\n')}

Options:
  --out <file>        where the JSON goes (default bench/results/bench-<timestamp>.json)
  --only <names>      only these stages (comma-separated or repeated)
  --tiny              every stage once at a tiny size (what npm test runs)
  --merge-1m          also merge 1,000,000 source rows
${Object.keys(sizeFlags).map((flag) => `  --${flag} <n>`).join('\n')}
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      only: { type: 'string', multiple: true },
      tiny: { type: 'boolean', default: false },
      'merge-1m': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
      ...Object.fromEntries(Object.keys(sizeFlags).map((flag) => [flag, { type: 'string' as const }])),
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const selected = selectStages(values.only as string[] | undefined, stages.map((stage) => stage.name));
  const tiny = values.tiny === true;
  const sizes = resolveSizes(tiny, values as unknown as Record<string, string | undefined>, { merge1m: values['merge-1m'] === true });
  const started = new Date();
  const out = resolve(values.out ?? join(repoRoot, 'bench/results', `bench-${started.toISOString().replace(/[:.]/g, '-')}.json`));
  const log = (message: string) => console.error(`  ${message}`);

  const benchmarks: Benchmark[] = [];
  const failures: StageFailure[] = [];
  for (const stage of stages.filter((candidate) => selected.includes(candidate.name))) {
    console.error(`== ${stage.name}${tiny ? ' (tiny)' : ''}`);
    const stageStarted = performance.now();
    try {
      const fail = (reason: string) => {
        failures.push({ stage: stage.name, reason });
        console.error(`  FAILED: ${reason}`);
      };
      benchmarks.push(...(await stage.run({ tiny, sizes, repoRoot, log, fail })));
      log(`done in ${((performance.now() - stageStarted) / 1000).toFixed(1)} s`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      failures.push({ stage: stage.name, reason });
      console.error(`  FAILED: ${reason}`);
    }
  }

  const report = buildReport(machineInfo(), started, benchmarks, failures);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  const { machine } = report;
  console.log(`\n${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}, java ${machine.java ?? 'none'}, ${machine.os}, load average ${machine.loadAverage.join(' / ')} (1 / 5 / 15 min)\n`);
  if (benchmarks.length > 0) console.log(formatTable(benchmarks));
  if (failures.length > 0) console.log(`\n${formatFailures(failures)}`);
  console.log(`\nwrote ${out}`);
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    process.exit(2);
  },
);
