#!/usr/bin/env node
// The command line: TypeScript through tsx. `invoke`, `api` and `start` then run again as a
// bundle on Lambda's Node.js (see cli.ts), so only `token` keeps the loader.
import { register } from 'tsx/esm/api';

register();
await import('../cli.ts');
