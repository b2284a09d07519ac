import * as z from 'zod';

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/**
 * Reads and checks the environment once, at module load. A missing or bad variable
 * stops the function at start-up with its name, not later inside a request.
 */
export function readConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigurationError(`invalid environment: ${problems.join('; ')}`);
}

/** Comma-separated list, e.g. KAFKA_BROKERS=127.0.0.1:9092,127.0.0.1:9093. */
export const commaList = z
  .string()
  .min(1)
  .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean));

/** Prefix that ends with "/" (or is empty), so keys join without doubled slashes. */
export const keyPrefix = z.string().regex(/^([A-Za-z0-9._-]+\/)*$/, 'must be empty or end with "/"');
