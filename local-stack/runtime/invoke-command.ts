import { readFileSync } from 'node:fs';
import { FunctionRegistry, type RuntimeOptions } from './function-registry.ts';

export interface InvokeCommandOptions extends RuntimeOptions {
  functionName: string;
  /** Path of the event file, `-` for stdin, or undefined for `{}` (as `sam local invoke --no-event`). */
  eventPath?: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `sam local invoke` without Docker: one invocation in a fresh instance; the result as JSON
 * on stdout, the function's logs on stderr; AWS's error shape on stdout and exit code 1 on error.
 */
export async function invokeCommand(options: InvokeCommandOptions): Promise<number> {
  const text = options.eventPath === undefined ? '{}' : options.eventPath === '-' ? await readStdin() : readFileSync(options.eventPath, 'utf8');
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (error) {
    process.stderr.write(`the event is not JSON: ${(error as Error).message}\n`);
    return 2;
  }
  const registry = await FunctionRegistry.create({ ...options, maxInstances: 1, onLog: options.onLog ?? ((_id, output) => process.stderr.write(output)) });
  const definition = registry.find(options.functionName);
  if (!definition) {
    process.stderr.write(`no function ${options.functionName} in ${registry.model.templatePath}; functions: ${[...registry.model.functions.keys()].join(', ')}\n`);
    await registry.stop();
    return 2;
  }
  try {
    const outcome = await registry.invoke(definition.logicalId, event);
    const report = `REPORT RequestId: ${outcome.requestId}\tDuration: ${outcome.durationMs.toFixed(2)} ms\tMemory Size: ${definition.memorySize} MB\n`;
    process.stderr.write(report);
    process.stdout.write(`${JSON.stringify(outcome.ok ? outcome.result : outcome.error)}\n`);
    return outcome.ok ? 0 : 1;
  } finally {
    await registry.stop();
  }
}
