import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { benchmark, type Benchmark } from '../lib/report.ts';
import type { Stage } from '../lib/stage.ts';
import { median } from '../lib/stats.ts';
import { esbuildOptionsFor, type FunctionBuild, functionBuilds, readTemplate } from '../lib/template.ts';

/**
 * Each function bundled as `sam build` bundles it (template Metadata), then loaded by a
 * fresh `node` with the function's environment: time from process start to the end of
 * the bundle's import (module initialisation), against a one-line handler bundled and
 * loaded the same way.
 */

const loader = `
const bundle = process.argv[2];
await import(new URL('file://' + bundle).href);
const importDone = performance.now();
process.stdout.write(JSON.stringify({ importDone }));
process.exit(0);
`;

const oneLineHandler = `export const handler = async () => ({ statusCode: 200 });\n`;

type EnvVars = Record<string, Record<string, string>>;

/**
 * What the Lambda runtime sets for every function, and the function's declared variables
 * with local-stack/env.json over them as `sam local --env-vars` applies it. Nothing is
 * contacted while a module initialises, so no service needs to run.
 */
function lambdaEnvironment(fn: FunctionBuild, taskRoot: string, envVars: EnvVars): Record<string, string> {
  const overrides = { ...(envVars.Parameters ?? {}), ...(envVars[fn.logicalId] ?? {}) };
  const declared = Object.fromEntries(Object.entries(fn.environment).map(([name, value]) => [name, String(overrides[name] ?? value)]));
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.logicalId}`,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    LAMBDA_TASK_ROOT: taskRoot,
    _HANDLER: fn.handler,
    ...declared,
  };
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

async function bundle(fn: FunctionBuild, entryPoints: string[], outdir: string, root: string): Promise<string> {
  mkdirSync(outdir, { recursive: true });
  await build({ ...esbuildOptionsFor(fn.build, entryPoints, outdir), absWorkingDir: root });
  const file = fn.handler.split('.')[0]!;
  const found = readdirSync(outdir).find((name) => basename(name, extname(name)) === file && ['.js', '.mjs', '.cjs'].includes(extname(name)));
  if (!found) throw new Error(`${fn.logicalId}: the bundle has no ${file}.js/.mjs/.cjs for Handler ${fn.handler}`);
  return join(outdir, found);
}

function firstErrorLine(message: string): string {
  const line = message.split('\n').find((text) => /Error:/.test(text));
  return (line ?? message.split('\n')[0] ?? message).trim();
}

export const coldStartStage: Stage = {
  name: 'cold-start',
  needs: 'nothing (esbuild and node)',
  async run({ sizes, repoRoot, log, fail }) {
    const template = readTemplate(join(repoRoot, 'template.yaml'));
    const functions = functionBuilds(template, { LakeBucket: 'lake' });
    const envVars = JSON.parse(readFileSync(join(repoRoot, 'local-stack/env.json'), 'utf8')) as EnvVars;
    if (functions.length === 0) throw new Error('template.yaml declares no function built with esbuild');
    const work = mkdtempSync(join(tmpdir(), 'ledgerflow-cold-start-'));
    try {
      const loaderPath = join(work, 'load.mjs');
      writeFileSync(loaderPath, loader);
      // The baseline: a one-line handler with the build settings of the first function.
      const baselineSource = join(work, 'baseline', 'handler.ts');
      mkdirSync(join(work, 'baseline'), { recursive: true });
      writeFileSync(baselineSource, oneLineHandler);
      const reference = functions[0]!;
      const baselineBundle = await bundle(reference, [baselineSource], join(work, 'build', 'Baseline'), repoRoot);
      const baselineEnv = lambdaEnvironment(reference, join(work, 'build', 'Baseline'), envVars);

      const bundles = [];
      for (const fn of functions) {
        log(`bundling ${fn.logicalId}`);
        const outdir = join(work, 'build', fn.logicalId);
        const path = await bundle(fn, fn.build.EntryPoints.map((entry) => resolve(repoRoot, fn.codeUri, entry)), outdir, resolve(repoRoot, fn.codeUri));
        const env = lambdaEnvironment(fn, outdir, envVars);
        // A bundle that cannot initialise on its own would fail every cold start in Lambda too.
        try {
          await loadOnce(loaderPath, path, env);
          bundles.push({ fn, path, env });
        } catch (error) {
          const sizeKB = statSync(path).size / 1024;
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
      const baselineKB = statSync(baselineBundle).size / 1024;
      log(`baseline: ${baselineMs.toFixed(1)} ms to import a one-line handler`);

      const figures: Benchmark[] = [];
      let worst: { id: string; added: number; initMs: number; sizeKB: number } | undefined;
      for (const { fn, path } of bundles) {
        const sizeKB = statSync(path).size / 1024;
        const initMs = median(times.get(fn.logicalId)!);
        const added = initMs - baselineMs;
        const slug = fn.logicalId.replace(/Function$/, '').replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
        figures.push(
          benchmark(`bundle-size-${slug}`, sizeKB, 'KB', baselineKB, { function: fn.logicalId, bundle: basename(path), baselineIs: 'one-line handler bundle' }, {
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
