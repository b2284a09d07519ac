import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { buildFunction, type EnvVars, type FunctionDefinition, functionEnvironment, instanceEnvironment, loadTemplate, readEnvVars } from '@ledgerflow/lambda-runtime';
import { bundleSize } from '../../tools/bundle-size.ts';
import { benchmark, type Benchmark } from '../lib/report.ts';
import type { Stage } from '../lib/stage.ts';
import { median } from '../lib/stats.ts';

/**
 * Each function bundled as `sam build` bundles it (template Metadata, through the local
 * runtime's template model and build), then loaded by a fresh `node` with the function's
 * environment: time from process start to the end of the bundle's import (module
 * initialisation), against a one-line handler bundled and loaded the same way.
 */

const loader = `
const bundle = process.argv[2];
await import(new URL('file://' + bundle).href);
const importDone = performance.now();
process.stdout.write(JSON.stringify({ importDone }));
process.exit(0);
`;

const oneLineHandler = `export const handler = async () => ({ statusCode: 200 });\n`;

/**
 * The function's variables as the runtime resolves them (Globals and its own, env.json
 * over them; credentials from env.json), then what the Lambda runtime sets for every
 * function. The shell is left out, so the figure does not depend on who runs it. Nothing
 * is contacted while a module initialises, so no service needs to run.
 */
export function coldStartEnvironment(definition: FunctionDefinition, envVars: EnvVars, taskRoot: string): Record<string, string> {
  return instanceEnvironment(definition, functionEnvironment(definition, envVars, {}), { taskRoot, runtimeDir: taskRoot, logStreamName: 'cold-start' });
}

function loadOnce(loaderPath: string, bundlePath: string, env: Record<string, string>): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [loaderPath, bundlePath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`loading ${bundlePath} exited with ${code}: ${stderr.trim().slice(0, 500)}`));
      try {
        resolvePromise((JSON.parse(stdout) as { importDone: number }).importDone);
      } catch {
        reject(new Error(`loading ${bundlePath} printed no timing: ${stdout.slice(0, 200)} ${stderr.slice(0, 300)}`));
      }
    });
  });
}

function firstErrorLine(message: string): string {
  const line = message.split('\n').find((text) => /Error:/.test(text));
  return (line ?? message.split('\n')[0] ?? message).trim();
}

export const coldStartStage: Stage = {
  name: 'cold-start',
  needs: 'nothing (esbuild and node)',
  async run({ sizes, repoRoot, log, fail }) {
    const model = loadTemplate({ templatePath: join(repoRoot, 'template.yaml') });
    const envVars = readEnvVars(join(repoRoot, 'local-stack/env.json'));
    const functions = [...model.functions.values()].filter((definition) => definition.build);
    if (functions.length === 0) throw new Error('template.yaml declares no function built with esbuild');
    const work = mkdtempSync(join(tmpdir(), 'ledgerflow-cold-start-'));
    try {
      const loaderPath = join(work, 'load.mjs');
      writeFileSync(loaderPath, loader);
      const buildRoot = join(work, 'build');
      // The baseline: a one-line handler with the build settings and environment of the first function.
      const reference = functions[0]!;
      const baselineCode = join(work, 'baseline');
      const baselineEntry = `${reference.handler.split('.')[0]}.ts`;
      mkdirSync(baselineCode, { recursive: true });
      writeFileSync(join(baselineCode, baselineEntry), oneLineHandler);
      const baseline = { ...reference, logicalId: 'Baseline', codeUri: baselineCode, build: { ...reference.build!, entryPoints: [baselineEntry] } };
      const baselineBuilt = await buildFunction(baseline, buildRoot, true);
      const baselineBundle = baselineBuilt.handlerFile;
      const baselineEnv = coldStartEnvironment(reference, envVars, baselineBuilt.taskRoot);

      const bundles = [];
      for (const fn of functions) {
        log(`bundling ${fn.logicalId}`);
        const built = await buildFunction(fn, buildRoot, true);
        const path = built.handlerFile;
        const env = coldStartEnvironment(fn, envVars, built.taskRoot);
        // A bundle that cannot initialise on its own would fail every cold start in Lambda too.
        try {
          await loadOnce(loaderPath, path, env);
          bundles.push({ fn, path, env });
        } catch (error) {
          const sizeKB = bundleSize(path).coldStartBytes / 1024;
          fail(`${fn.logicalId} (${sizeKB.toFixed(0)} KB) does not initialise from its bundle folder: ${firstErrorLine((error as Error).message)}`);
        }
      }
      if (bundles.length === 0) throw new Error('no function bundle initialises');

      // Alternate baseline and functions run by run, so machine noise hits them alike.
      const baselineTimes: number[] = [];
      const times = new Map<string, number[]>(functions.map((fn) => [fn.logicalId, []]));
      await loadOnce(loaderPath, baselineBundle, baselineEnv); // warms the file cache
      for (let run = 0; run < sizes.coldStartRuns; run++) {
        baselineTimes.push(await loadOnce(loaderPath, baselineBundle, baselineEnv));
        for (const { fn, path, env } of bundles) times.get(fn.logicalId)!.push(await loadOnce(loaderPath, path, env));
      }
      const baselineMs = median(baselineTimes);
      const baselineKB = bundleSize(baselineBundle).coldStartBytes / 1024;
      log(`baseline: ${baselineMs.toFixed(1)} ms to import a one-line handler`);

      const figures: Benchmark[] = [];
      let worst: { id: string; added: number; initMs: number; sizeKB: number } | undefined;
      for (const { fn, path } of bundles) {
        const size = bundleSize(path);
        const sizeKB = size.coldStartBytes / 1024;
        const initMs = median(times.get(fn.logicalId)!);
        const added = initMs - baselineMs;
        const slug = fn.logicalId.replace(/Function$/, '').replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
        figures.push(
          benchmark(`bundle-size-${slug}`, sizeKB, 'KB', baselineKB, { function: fn.logicalId, bundle: basename(path), allChunksKB: Number((size.allBytes / 1024).toFixed(1)), baselineIs: 'one-line handler bundle' }, {
            text: '< 500 KB',
            met: sizeKB < 500,
          }),
          benchmark(`cold-start-${slug}`, added, 'ms', baselineMs, { function: fn.logicalId, initMs: Number(initMs.toFixed(1)), runs: sizes.coldStartRuns, statistic: 'median' }, {
            text: '< 100 ms above baseline',
            met: added < 100,
          }),
        );
        if (!worst || added > worst.added) worst = { id: fn.logicalId, added, initMs, sizeKB };
      }
      figures.unshift(
        benchmark('cold-start', worst!.added, 'ms', baselineMs, {
          function: worst!.id,
          initMs: Number(worst!.initMs.toFixed(1)),
          bundleKB: Number(worst!.sizeKB.toFixed(1)),
          runs: sizes.coldStartRuns,
          statistic: 'median',
          measures: 'process start to import done, minus the same for a one-line handler; the function that adds most',
          of: bundles.map(({ fn }) => fn.logicalId),
        }, { text: '< 100 ms above baseline', met: worst!.added < 100 }),
      );
      return figures;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};
