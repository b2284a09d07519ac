import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This package's folder: the runtime bundles its own files from here. */
export const packageDir = dirname(fileURLToPath(import.meta.url));
