/**
 * What a function's bundle is made of: builds each function of template.yaml with its
 * BuildProperties (the local runtime's reading of them, as `sam build` does) and prints, from
 * esbuild's metafile, the bytes each package and each largest module adds to what a cold
 * start loads, counted like tools/bundle-size.ts (entry module, static imports, largest
 * chunk loaded by import()).
 *
 *   npx tsx tools/bundle-analysis.ts [FunctionLogicalId...] [--top N] [--metafile DIR] [--why TEXT]
 *
 * --metafile DIR also writes each function's metafile to DIR/<LogicalId>.json, for
 * https://esbuild.github.io/analyze/. --why TEXT prints, for each input whose path contains
 * TEXT, the chain of imports that brings it in from the entry.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { esbuildOptions, loadTemplate } from '@ledgerflow/lambda-runtime';
import { build, type Metafile } from 'esbuild';

type Output = Metafile['outputs'][string];

/** The outputs a cold start loads: the entry's static closure and the largest dynamic chunk's closure beyond it. */
export function coldStartOutputs(metafile: Metafile, entry: string): string[] {
  const closure = (start: string, loaded: ReadonlySet<string> = new Set()): Set<string> => {
    const seen = new Set<string>();
    const visit = (path: string): void => {
      if (loaded.has(path) || seen.has(path) || !metafile.outputs[path]) return;
      seen.add(path);
      for (const imported of metafile.outputs[path]!.imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    };
    visit(start);
    return seen;
  };
  const atStart = closure(entry);
  const dynamic = [...atStart].flatMap((path) => metafile.outputs[path]!.imports.filter((imported) => imported.kind === 'dynamic-import' && !imported.external).map((imported) => imported.path));
  const bytes = (paths: Iterable<string>) => [...paths].reduce((sum, path) => sum + metafile.outputs[path]!.bytes, 0);
  const largest = dynamic.map((path) => closure(path, atStart)).sort((a, b) => bytes(b) - bytes(a))[0] ?? new Set<string>();
  return [...atStart, ...largest];
}

/** `node_modules/@scope/name/...` -> `@scope/name`; project files by their top folder. */
export function packageOf(input: string): string {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input.replaceAll('\\', '/'));
  if (match) return match[1]!;
  const parts = input.replaceAll('\\', '/').replace(/^(\.\.\/)+/, '').split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1).padStart(8);

function report(name: string, metafile: Metafile, entryPoint: string, top: number): void {
  // Chunks loaded by import() carry an entryPoint too: the function's own is the one asked for.
  const entry = Object.entries(metafile.outputs).find(([, output]) => output.entryPoint === entryPoint)?.[0];
  if (!entry) throw new Error(`${name}: no entry output in the metafile`);
  const loaded = coldStartOutputs(metafile, entry);
  const outputs: [string, Output][] = loaded.map((path) => [path, metafile.outputs[path]!]);
  const total = outputs.reduce((sum, [, output]) => sum + output.bytes, 0);
  const byPackage = new Map<string, number>();
  const byModule = new Map<string, number>();
  for (const [, output] of outputs) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + bytesInOutput);
      byModule.set(input, (byModule.get(input) ?? 0) + bytesInOutput);
    }
  }
  const counted = [...byModule.values()].reduce((sum, bytes) => sum + bytes, 0);
  console.log(`\n${name}: ${kb(total).trim()} KB at cold start (${outputs.length} files; ${kb(total - counted).trim()} KB of it esbuild's own glue)`);
  for (const [path, output] of outputs) console.log(`  ${kb(output.bytes)} KB  ${path.split('/').slice(-2).join('/')}`);
  console.log('  by package:');
  for (const [pkg, bytes] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${kb(bytes)} KB  ${pkg}`);
  console.log(`  largest modules:`);
  for (const [input, bytes] of [...byModule].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${kb(bytes)} KB  ${input.replace(/^(\.\.\/)+/, '')}`);
}

/** The shortest chain of imports from `entryPoint` to each input containing `text`, with each step's kind. */
export function whyIncluded(metafile: Metafile, entryPoint: string, text: string): string[][] {
  const previous = new Map<string, { from: string; kind: string } | null>([[entryPoint, null]]);
  const queue = [entryPoint];
  for (let index = 0; index < queue.length; index++) {
    const input = queue[index]!;
    for (const imported of metafile.inputs[input]?.imports ?? []) {
      if (imported.external || previous.has(imported.path)) continue;
      previous.set(imported.path, { from: input, kind: imported.kind });
      queue.push(imported.path);
    }
  }
  return queue
    .filter((input) => input.includes(text))
    .map((input) => {
      const chain = [input];
      for (let step = previous.get(input); step; step = previous.get(step.from)) chain.unshift(`${step.from}  --${step.kind}-->`);
      return chain;
    });
}

const usage = `Usage: npx tsx tools/bundle-analysis.ts [FunctionLogicalId...] [--top N] [--metafile DIR] [--why TEXT]

What each function's bundle loads at cold start, by package and by largest module
(esbuild metafile; the functions of template.yaml with BuildProperties, all by default).

  --top N         how many of the largest modules to list (default 15)
  --metafile DIR  also write each function's metafile to DIR/<LogicalId>.json
  --why TEXT      for each input whose path contains TEXT, the chain of imports from the entry`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '15' }, metafile: { type: 'string' }, why: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const top = Number(values.top);
  if (!Number.isInteger(top) || top < 0) throw new Error(`--top takes a whole number of modules, got "${values.top}"\n\n${usage}`);
  const repoRoot = resolve(import.meta.dirname, '..');
  const { functions } = loadTemplate({ templatePath: join(repoRoot, 'template.yaml') });
  const built = [...functions.values()].filter((definition) => definition.build);
  const unknown = positionals.filter((name) => !built.some((definition) => definition.logicalId === name));
  if (unknown.length > 0) throw new Error(`no function ${unknown.join(', ')} with BuildProperties in template.yaml; one of: ${built.map((definition) => definition.logicalId).join(', ')}`);
  const selected = built.filter((definition) => positionals.length === 0 || positionals.includes(definition.logicalId));
  const scratch = mkdtempSync(join(tmpdir(), 'bundle-analysis-'));
  try {
    for (const definition of selected) {
      const options = esbuildOptions(definition, join(scratch, definition.logicalId));
      const { metafile } = await build({ ...options, metafile: true, write: false });
      if (values.metafile) {
        mkdirSync(values.metafile, { recursive: true });
        writeFileSync(join(values.metafile, `${definition.logicalId}.json`), JSON.stringify(metafile));
      }
      // Metafile paths are relative to the working directory, as `/` paths on every platform.
      const entryPoint = relative(definition.codeUri, (options.entryPoints as string[])[0]!).replaceAll('\\', '/');
      report(definition.logicalId, metafile, entryPoint, top);
      if (values.why) {
        for (const chain of whyIncluded(metafile, entryPoint, values.why)) console.log(`\n  why ${chain.at(-1)}:\n${chain.map((step) => `    ${step}`).join('\n')}`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main().catch((error: Error) => {
    console.error(error.message);
    process.exitCode = 2;
  });
}
