import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { repoRoot } from '../settings.ts';

const runtimeDir = join(repoRoot, 'local-stack/runtime');

/**
 * One of the runtime's own files bundled to plain JavaScript, written once per version of
 * its output as `<dir>/<name>-<hash>.mjs`. Building takes a few tens of milliseconds; running
 * the result skips the TypeScript loader, whose per-call overhead shows on a busy API.
 */
async function bundledScript(options: { entry: string; name: string; dir: string; externalPackages: boolean }): Promise<string> {
  const result = await build({
    entryPoints: [join(runtimeDir, options.entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: options.externalPackages ? 'external' : undefined,
    // settings.ts finds the repository from its own location; the bundle lives elsewhere.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(runtimeDir, 'settings.ts')).href) },
    write: false,
    logLevel: 'silent',
  });
  const text = result.outputFiles[0]!.contents;
  const target = join(options.dir, `${options.name}-${createHash('sha256').update(text).digest('hex').slice(0, 12)}.mjs`);
  if (existsSync(target)) return target;
  mkdirSync(options.dir, { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, target);
  return target;
}

/** What runs inside each function instance (node: built-ins only). */
export function workerScript(stateDir: string): Promise<string> {
  return bundledScript({ entry: 'worker/lambda-worker.ts', name: 'lambda-worker', dir: join(stateDir, 'runtime'), externalPackages: false });
}

/**
 * The runtime's command line. Its packages stay external, so the bundle sits under the
 * repository's node_modules, where they resolve.
 */
export function cliScript(): Promise<string> {
  return bundledScript({ entry: 'cli.ts', name: 'cli', dir: join(repoRoot, 'node_modules/.cache/ledgerflow'), externalPackages: true });
}
