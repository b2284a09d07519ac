import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join, relative, resolve } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import type { FunctionDefinition } from '../template/model.ts';
import { TemplateError } from '../template/template-error.ts';

export interface BuiltFunction {
  /** LAMBDA_TASK_ROOT: the bundle's folder, or CodeUri for a function without a build method. */
  taskRoot: string;
  /** Absolute path of the module Handler names. */
  handlerFile: string;
  exportName: string;
  /** Source files the bundle was made from (outside node_modules), to watch for changes. */
  inputs: string[];
  rebuilt: boolean;
}

interface BuildRecord {
  optionsHash: string;
  inputs: Record<string, number>;
}

/** esbuild options as `sam build` derives them from `Metadata.BuildProperties`. */
export function esbuildOptions(definition: FunctionDefinition, outdir: string): BuildOptions {
  const properties = definition.build!;
  return {
    absWorkingDir: definition.codeUri,
    entryPoints: properties.entryPoints.map((entry) => resolve(definition.codeUri, entry)),
    bundle: true,
    platform: properties.platform ?? 'node',
    format: properties.format ?? 'cjs',
    minify: properties.minify ?? false,
    target: properties.target ?? 'es2020',
    sourcemap: properties.sourcemap ?? false,
    banner: properties.banner,
    footer: properties.footer,
    outExtension: properties.outExtension,
    external: properties.external,
    loader: properties.loader as BuildOptions['loader'],
    alias: properties.alias,
    mainFields: properties.mainFields,
    splitting: properties.splitting,
    chunkNames: properties.chunkNames,
    outdir,
    metafile: true,
    logLevel: 'silent',
  };
}

/**
 * Bundles a function into `<buildRoot>/<LogicalId>/` like `sam build`, skipping the build
 * when no source file changed since the last one.
 */
export async function buildFunction(definition: FunctionDefinition, buildRoot: string, force = false): Promise<BuiltFunction> {
  const [file, ...exportPath] = definition.handler.split('.');
  const exportName = exportPath.join('.');
  if (!definition.build) {
    return { taskRoot: definition.codeUri, handlerFile: findHandlerFile(definition.codeUri, file!, definition), exportName, inputs: [], rebuilt: false };
  }
  const outdir = join(buildRoot, definition.logicalId);
  // Built beside the target and swapped in, so another process (a test, the demo) never
  // loads a half-written bundle; same depth, so source map paths stay valid.
  const staging = join(buildRoot, `.${definition.logicalId}-${process.pid}-${Date.now()}`);
  const options = esbuildOptions(definition, staging);
  const { metafile: _metafile, logLevel: _logLevel, outdir: _outdir, ...hashed } = options;
  const optionsHash = createHash('sha256').update(JSON.stringify(hashed)).digest('hex');
  const recordPath = join(outdir, '.build-record.json');

  if (!force && existsSync(recordPath)) {
    const record = JSON.parse(readFileSync(recordPath, 'utf8')) as BuildRecord;
    const unchanged = record.optionsHash === optionsHash && Object.entries(record.inputs).every(([path, mtime]) => existsSync(path) && statSync(path).mtimeMs === mtime);
    if (unchanged) {
      return { taskRoot: outdir, handlerFile: findHandlerFile(outdir, file!, definition), exportName, inputs: Object.keys(record.inputs), rebuilt: false };
    }
  }

  mkdirSync(staging, { recursive: true });
  let result: Awaited<ReturnType<typeof build>>;
  try {
    result = await build(options);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    const errors = (error as { errors?: { text: string; location?: { file: string; line: number } }[] }).errors ?? [];
    const detail = errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text)).join('; ');
    throw new TemplateError(`esbuild failed: ${detail || (error as Error).message}`, `Resources.${definition.logicalId}.Metadata`);
  }
  const inputs = Object.keys(result.metafile!.inputs)
    .filter((input) => !input.includes('node_modules/') && !input.includes(':'))
    .map((input) => resolve(definition.codeUri, input));
  const record: BuildRecord = { optionsHash, inputs: Object.fromEntries(inputs.map((input) => [input, statSync(input).mtimeMs])) };
  writeFileSync(join(staging, '.build-record.json'), JSON.stringify(record));
  rmSync(outdir, { recursive: true, force: true });
  try {
    renameSync(staging, outdir);
  } catch {
    // Another process swapped in its own build of the same sources first: use that one.
    rmSync(staging, { recursive: true, force: true });
  }
  // Handler names the file by the entry point's base name, as in the Lambda package.
  const handlerFile = findHandlerFile(outdir, file!, definition);
  return { taskRoot: outdir, handlerFile, exportName, inputs, rebuilt: true };
}

/** The Node.js runtime's lookup: `<file>.js`, then `.mjs`, then `.cjs`, under the task root. */
function findHandlerFile(root: string, file: string, definition: FunctionDefinition): string {
  for (const extension of ['.js', '.mjs', '.cjs']) {
    const candidate = join(root, `${file}${extension}`);
    if (existsSync(candidate)) return candidate;
  }
  const entries = definition.build?.entryPoints.map((entry) => basename(entry, extname(entry))) ?? [];
  throw new TemplateError(
    `Handler ${definition.handler} names ${file}.js/.mjs/.cjs, which is not in ${relative(process.cwd(), root) || root}` +
      (entries.length ? ` (the bundle holds ${entries.join(', ')})` : ''),
    `Resources.${definition.logicalId}.Properties.Handler`,
  );
}
