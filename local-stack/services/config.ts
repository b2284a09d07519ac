import type { z } from 'zod';

/** A stack definition or an environment variable is missing or wrong. */
export class StackConfigurationError extends Error {
  override name = 'StackConfigurationError';
}

/**
 * Reads and checks variables once with a zod schema; a bad value stops the command with
 * the variable's name.
 */
export function readConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new StackConfigurationError(`invalid environment: ${problems.join('; ')}`);
}
