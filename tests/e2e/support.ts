import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { stackSettings } from '../../local-stack/stack.config.ts';
import { localToken, runScript, type RuntimeProcess, startRuntime } from '../../tools/pipeline/local-services.ts';
import { lakeClient } from '../../tools/pipeline/settle.ts';

export interface LocalRuntimeContext {
  runtime: RuntimeProcess;
  /** A bearer token the local authorizer accepts. */
  token: string;
}

/** Starts the Docker-free runtime before the tests of a file (the local stack must be up) and stops it after them. */
export function useLocalRuntime(): LocalRuntimeContext {
  const context = {} as LocalRuntimeContext;
  beforeAll(async () => {
    if (!runScript('stack:status', ['--quiet'], { quiet: true })) throw new Error('the local stack is not up: run `npm run stack:up` first');
    context.runtime = await startRuntime();
    context.token = localToken();
  });
  afterAll(async () => {
    await context.runtime?.stop();
  });
  return context;
}

/** A JSON object of the lake bucket, once it exists. */
export async function waitForObject(key: string, timeoutMs = 60_000): Promise<Record<string, any>> {
  const s3 = lakeClient();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const body = await s3
      .send(new GetObjectCommand({ Bucket: stackSettings.lakeBucket, Key: key }))
      .then((object) => object.Body!.transformToString(), () => undefined);
    if (body) return JSON.parse(body);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${key} did not appear within ${timeoutMs / 1000} s`);
}
