import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageDir } from '../package-dir.ts';

/** What a bundle was built from: each input file's modification time. */
interface Manifest {
  script: string;
  inputs: Record<string, number>;
}

function unchanged(manifestPath: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    const current = Object.entries(manifest.inputs).every(([file, mtimeMs]) => statSync(resolve(packageDir, file)).mtimeMs === mtimeMs);
    return current && existsSync(manifest.script) ? manifest.script : undefined;
  } catch {
    return undefined;
  }
}

interface BundleOptions {
  /** Absolute path of the entry module. */
  entry: string;
  name: string;
  dir: string;
  externalPackages: boolean;
  /** The runtime's own files find this package from their location; their bundle lives elsewhere. */
  ownFiles: boolean;
}

/**
 * A module bundled to plain JavaScript, written as `<dir>/<name>-<hash>.mjs` and rebuilt
 * only when one of its sources changes. Running the result skips the TypeScript loader,
 * whose per-call overhead shows on a busy API.
 */
async function bundledScript(options: BundleOptions): Promise<string> {
  const manifestPath = join(options.dir, `${options.name}.manifest.json`);
  const built = unchanged(manifestPath);
  if (built) return built;
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [options.entry],
    absWorkingDir: packageDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: options.externalPackages ? 'external' : undefined,
    define: options.ownFiles ? { 'import.meta.url': JSON.stringify(pathToFileURL(join(packageDir, 'package-dir.ts')).href) } : undefined,
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const text = result.outputFiles[0]!.contents;
  const script = join(options.dir, `${options.name}-${createHash('sha256').update(text).digest('hex').slice(0, 12)}.mjs`);
  mkdirSync(options.dir, { recursive: true });
  if (!existsSync(script)) writeAtomically(script, text);
  const inputs = Object.fromEntries(Object.keys(result.metafile.inputs).map((file) => [file, statSync(resolve(packageDir, file)).mtimeMs]));
  writeAtomically(manifestPath, JSON.stringify({ script, inputs } satisfies Manifest));
  return script;
}

function writeAtomically(path: string, contents: string | Uint8Array): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

/** What runs inside each function instance (node: built-ins only). */
export function workerScript(stateDir: string): Promise<string> {
  return bundledScript({ entry: join(packageDir, 'worker/lambda-worker.ts'), name: 'lambda-worker', dir: join(stateDir, 'runtime'), externalPackages: false, ownFiles: true });
}

/**
 * The runtime's command line. Its packages stay external, so the bundle sits in this
 * package's node_modules, from where they resolve.
 */
export function cliScript(): Promise<string> {
  return bundledScript({ entry: join(packageDir, 'cli.ts'), name: 'cli', dir: join(packageDir, 'node_modules/.cache/lambda-runtime'), externalPackages: true, ownFiles: true });
}

/**
 * A caller's module (the `--openapi` document provider) with its packages, so the bundled
 * command line imports it without a TypeScript loader.
 */
export function userModuleScript(path: string, stateDir: string): Promise<string> {
  const entry = resolve(path);
  const name = `module-${createHash('sha256').update(entry).digest('hex').slice(0, 12)}`;
  return bundledScript({ entry, name, dir: join(stateDir, 'runtime'), externalPackages: false, ownFiles: false });
}
