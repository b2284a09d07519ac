import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../settings.ts';

const runtimeDir = join(repoRoot, 'local-stack/runtime');

/** What a bundle was built from: each input file's modification time. */
interface Manifest {
  script: string;
  inputs: Record<string, number>;
}

function unchanged(manifestPath: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    const current = Object.entries(manifest.inputs).every(([file, mtimeMs]) => statSync(join(repoRoot, file)).mtimeMs === mtimeMs);
    return current && existsSync(manifest.script) ? manifest.script : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One of the runtime's own files bundled to plain JavaScript, written as
 * `<dir>/<name>-<hash>.mjs` and rebuilt only when one of its sources changes. Running the
 * result skips the TypeScript loader, whose per-call overhead shows on a busy API.
 */
async function bundledScript(options: { entry: string; name: string; dir: string; externalPackages: boolean }): Promise<string> {
  const manifestPath = join(options.dir, `${options.name}.manifest.json`);
  const built = unchanged(manifestPath);
  if (built) return built;
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(runtimeDir, options.entry)],
    absWorkingDir: repoRoot,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: options.externalPackages ? 'external' : undefined,
    // settings.ts finds the repository from its own location; the bundle lives elsewhere.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(runtimeDir, 'settings.ts')).href) },
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const text = result.outputFiles[0]!.contents;
  const script = join(options.dir, `${options.name}-${createHash('sha256').update(text).digest('hex').slice(0, 12)}.mjs`);
  mkdirSync(options.dir, { recursive: true });
  if (!existsSync(script)) writeAtomically(script, text);
  const inputs = Object.fromEntries(Object.keys(result.metafile.inputs).map((file) => [file, statSync(join(repoRoot, file)).mtimeMs]));
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
  return bundledScript({ entry: 'worker/lambda-worker.ts', name: 'lambda-worker', dir: join(stateDir, 'runtime'), externalPackages: false });
}

/**
 * The runtime's command line. Its packages stay external, so the bundle sits under the
 * repository's node_modules, where they resolve.
 */
export function cliScript(): Promise<string> {
  return bundledScript({ entry: 'cli.ts', name: 'cli', dir: join(repoRoot, 'node_modules/.cache/ledgerflow'), externalPackages: true });
}
