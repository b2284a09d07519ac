import { join, resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '../..');

/** The Docker-free runtime's options as this project's `npm run local:*` scripts give them. */
export const localRuntimeOptions = { envVarsPath: join(repoRoot, 'local-stack/env.json'), stateDir: join(repoRoot, '.stack') };
