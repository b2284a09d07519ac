import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { build } from 'esbuild';

const source = fileURLToPath(new URL('./lambda-worker.ts', import.meta.url));

/** The instance runtime as plain JavaScript, built once per version of its source. */
export async function workerScript(stateDir: string): Promise<string> {
  const hash = createHash('sha256').update(readFileSync(source)).update(readFileSync(fileURLToPath(new URL('./worker-protocol.ts', import.meta.url)))).digest('hex').slice(0, 12);
  const dir = join(stateDir, 'runtime');
  const target = join(dir, `lambda-worker-${hash}.mjs`);
  if (existsSync(target)) return target;
  mkdirSync(dir, { recursive: true });
  const temporary = `${target}.${process.pid}.tmp.mjs`;
  await build({ entryPoints: [source], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: temporary, logLevel: 'silent' });
  renameSync(temporary, target);
  return target;
}
