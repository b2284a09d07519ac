/**
 * The size of what a function's cold start loads: its bundle's entry module and every chunk
 * it imports statically, transitively, plus the largest chunk it imports with `import()`
 * (esbuild code splitting), since initialisation may load one (the stream publisher loads
 * its engine's client so). Other chunks load only when their code first runs.
 *
 *   npx tsx tools/bundle-size.ts <bundle.mjs>...   prints "<cold start bytes> <all bytes> <file>"
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BundleSize {
  /** Bytes of the entry module, its static imports and the largest chunk it may import at start. */
  coldStartBytes: number;
  /** Bytes of every module in the bundle's folder. */
  allBytes: number;
}

// esbuild writes a static import of a chunk as `import{a as b}from"./chunks/c.mjs"` or
// `import"./chunks/c.mjs"`, and a dynamic one as `import("./chunks/c.mjs")`.
const staticImport = /\bimport\s*(?:[^"'()]*?\bfrom\s*)?["'](\.{1,2}\/[^"']+\.m?js)["']/g;
const dynamicImport = /\bimport\(\s*["'](\.{1,2}\/[^"']+\.m?js)["']\s*\)/g;

function importsOf(file: string, pattern: RegExp): string[] {
  return [...readFileSync(file, 'utf8').matchAll(pattern)].map((match) => resolve(dirname(file), match[1]!));
}

/** `file` and what it imports statically, transitively, not counting `loaded`. */
function staticClosure(file: string, loaded: ReadonlySet<string> = new Set()): Set<string> {
  const closure = new Set<string>();
  const visit = (module: string): void => {
    if (loaded.has(module) || closure.has(module)) return;
    closure.add(module);
    for (const imported of importsOf(module, staticImport)) visit(imported);
  };
  visit(file);
  return closure;
}

const bytesOf = (files: Iterable<string>) => [...files].reduce((sum, file) => sum + statSync(file).size, 0);

export function bundleSize(entryFile: string): BundleSize {
  const atStart = staticClosure(resolve(entryFile));
  const lazy = new Set([...atStart].flatMap((file) => importsOf(file, dynamicImport)));
  const largestLazy = Math.max(0, ...[...lazy].map((file) => bytesOf(staticClosure(file, atStart))));
  const folder = dirname(resolve(entryFile));
  const modules = readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((name) => /\.m?js$/.test(name));
  return { coldStartBytes: bytesOf(atStart) + largestLazy, allBytes: bytesOf(modules.map((name) => join(folder, name))) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const file of process.argv.slice(2)) {
    const { coldStartBytes, allBytes } = bundleSize(file);
    console.log(`${coldStartBytes} ${allBytes} ${file}`);
  }
}
