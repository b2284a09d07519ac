import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { esbuildOptionsFor, functionBuilds, localValue, readTemplate } from '../../../bench/lib/template.ts';

const template = readTemplate(join(import.meta.dirname, '../../../template.yaml'));

describe('functionBuilds', () => {
  it('finds every function bundled with esbuild, with its entry point', () => {
    const builds = functionBuilds(template);
    expect(builds.map((build) => build.logicalId)).toEqual(expect.arrayContaining(['IngestFunction', 'ValidateFunction', 'MergeTriggerFunction']));
    const validate = builds.find((build) => build.logicalId === 'ValidateFunction')!;
    expect(validate.build.EntryPoints).toEqual(['functions/validate/handler.ts']);
    expect(validate.handler).toBe('handler.handler');
  });

  it('merges Globals variables with the function\'s own and resolves them locally', () => {
    const validate = functionBuilds(template, { LakeBucket: 'lake' }).find((build) => build.logicalId === 'ValidateFunction')!;
    expect(validate.environment.NODE_OPTIONS).toBe('--enable-source-maps');
    expect(validate.environment.POWERTOOLS_SERVICE_NAME).toBe('validate');
    expect(validate.environment.LAKE_BUCKET).toBe('lake');
    expect(validate.environment.TOPIC_PREFIX).toBe('ingest.');
    expect(validate.environment.CARD_TOKEN_KEY).toBe('local-placeholder-value-0123456789');
  });
});

describe('localValue', () => {
  const small = { Parameters: { Stage: { Type: 'String', Default: 'dev' } } };

  it('gives a parameter its default and a resource its local name or logical id', () => {
    expect(localValue({ Ref: 'Stage' }, small, {}, 'x')).toBe('dev');
    expect(localValue({ Ref: 'Bucket' }, small, { Bucket: 'lake' }, 'x')).toBe('lake');
    expect(localValue({ Ref: 'Other' }, small, {}, 'x')).toBe('Other');
  });

  it('puts the placeholder where only AWS can resolve the value', () => {
    expect(localValue({ 'Fn::Sub': '{{resolve:secretsmanager:${S}:SecretString}}' }, small, {}, 'placeholder')).toBe('placeholder');
    expect(localValue('{{resolve:ssm:/x}}', small, {}, 'placeholder')).toBe('placeholder');
  });
});

describe('esbuildOptionsFor', () => {
  it('maps BuildProperties the way sam build does', () => {
    const options = esbuildOptionsFor(
      {
        Format: 'esm',
        Minify: true,
        Target: 'es2022',
        Sourcemap: true,
        EntryPoints: ['a.ts'],
        Banner: ['js=import x from "y";'],
        OutExtension: ['.js=.mjs'],
        Alias: ['@scope/pkg=@scope/pkg/bundled'],
      },
      ['/src/a.ts'],
      '/out',
    );
    expect(options).toMatchObject({
      entryPoints: ['/src/a.ts'],
      outdir: '/out',
      bundle: true,
      platform: 'node',
      format: 'esm',
      minify: true,
      target: 'es2022',
      sourcemap: true,
      banner: { js: 'import x from "y";' },
      outExtension: { '.js': '.mjs' },
      alias: { '@scope/pkg': '@scope/pkg/bundled' },
    });
  });

  it('falls back to sam build\'s defaults', () => {
    expect(esbuildOptionsFor({ EntryPoints: ['a.ts'] }, ['a.ts'], '/out')).toMatchObject({ format: 'cjs', minify: false, target: 'es2020', sourcemap: false });
  });
});
