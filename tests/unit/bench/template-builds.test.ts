import { join, resolve } from 'node:path';
import { esbuildOptions, loadTemplate, readEnvVars } from '@ledgerflow/lambda-runtime';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { coldStartEnvironment } from '../../../bench/stages/cold-start.ts';

/** What the cold-start stage bundles and loads: the project's template.yaml and local-stack/env.json, through the runtime. */
const repoRoot = resolve(import.meta.dirname, '../../..');
const { functions } = loadTemplate({ templatePath: join(repoRoot, 'template.yaml') });
const envVars = readEnvVars(join(repoRoot, 'local-stack/env.json'));
const bundled = [...functions.values()].filter((definition) => definition.build);

describe('cold-start bundles', () => {
  it('bundles every function of the template with esbuild', () => {
    expect(bundled.map((definition) => definition.logicalId)).toEqual(['IngestFunction', 'OpenApiFunction', 'ValidateFunction', 'MergeTriggerFunction', 'FileDropFunction']);
  });

  it('gives esbuild each function\'s BuildProperties the way sam build does', () => {
    for (const definition of bundled) {
      expect(esbuildOptions(definition, '/out')).toMatchObject({
        absWorkingDir: definition.codeUri,
        outdir: '/out',
        bundle: true,
        platform: 'node',
        format: 'esm',
        minify: true,
        target: 'es2022',
        sourcemap: true,
        mainFields: ['module', 'main'],
        banner: { js: expect.stringContaining('createRequire(import.meta.url)') },
        outExtension: { '.js': '.mjs' },
      });
    }
    const ingest = esbuildOptions(functions.get('IngestFunction')!, '/out');
    expect(ingest.absWorkingDir).toBe(join(repoRoot, 'functions/ingest'));
    expect(ingest.entryPoints).toEqual([join(repoRoot, 'functions/ingest/handler.ts')]);
    expect(ingest.alias).toEqual({
      '@platformatic/wasm-utils': '../../layers/lib/kafka-wasm-utils.js',
      '@platformatic/kafka': '../../layers/lib/kafka-producer-entry.js',
      mnemonist: '../../layers/lib/kafka-mnemonist.js',
      debug: 'debug/src/node.js',
    });
  });
});

describe('cold-start environment', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('has Globals and the function\'s own variables with local values from env.json, and Lambda\'s runtime variables', () => {
    const env = coldStartEnvironment(functions.get('ValidateFunction')!, envVars, '/task');
    expect(env).toMatchObject({
      NODE_OPTIONS: '--enable-source-maps',
      STAGE: 'dev',
      POWERTOOLS_SERVICE_NAME: 'validate',
      LAKE_BUCKET: 'lake',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      LOCAL_CARD_TOKEN_KEY: envVars.Parameters!.LOCAL_CARD_TOKEN_KEY,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: envVars.Parameters!.AWS_ACCESS_KEY_ID,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: 'ValidateFunction',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
      LAMBDA_TASK_ROOT: '/task',
      _HANDLER: 'handler.handler',
    });
  });

  it('leaves no value that only AWS can resolve', () => {
    for (const definition of bundled) {
      for (const value of Object.values(coldStartEnvironment(definition, envVars, '/task'))) expect(value).not.toContain('{{resolve:');
    }
  });

  it('does not depend on the shell that runs the benchmark', () => {
    vi.stubEnv('NODE_OPTIONS', '--max-old-space-size=64');
    vi.stubEnv('STAGE', 'shell');
    expect(coldStartEnvironment(functions.get('IngestFunction')!, envVars, '/task')).toMatchObject({ NODE_OPTIONS: '--enable-source-maps', STAGE: 'dev' });
  });
});
