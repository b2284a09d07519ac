import { readFileSync } from 'node:fs';
import * as z from 'zod';
import type { FunctionDefinition } from './template/model.ts';
import { TemplateError } from './template/template-error.ts';

/** The `sam local --env-vars` file: `Parameters` for every function, then one section per function. */
const envVarsSchema = z.record(z.string(), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)));
export type EnvVars = z.output<typeof envVarsSchema>;

export function readEnvVars(path: string | undefined): EnvVars {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TemplateError(`cannot be read (${(error as Error).message})`, path);
  }
  const parsed = envVarsSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new TemplateError(`is not in the --env-vars format: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, path);
  return parsed.data;
}

/**
 * Variables the Lambda runtime itself sets; `sam local` takes the credentials and region
 * from the caller's AWS configuration. Here they come from env.json (function section,
 * then `Parameters`), then the shell, so the functions reach MinIO with its local keys.
 */
const credentialVariables = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

export interface ResolvedEnvironment {
  /** What the function process sees, before the Lambda runtime variables. */
  variables: Record<string, string>;
  credentials: Record<string, string>;
  /** Names in the function's env.json section that the template does not declare: ignored, as `sam local` does. */
  ignored: string[];
}

/**
 * `sam local`'s precedence: template value, then the shell's value of a declared variable,
 * then env.json `Parameters`, then the function's own section. Only declared variables are set.
 */
export function functionEnvironment(definition: FunctionDefinition, envVars: EnvVars, shell: NodeJS.ProcessEnv = process.env): ResolvedEnvironment {
  const section = envVars[definition.logicalId] ?? envVars[definition.functionName] ?? {};
  const overrides = { ...(envVars.Parameters ?? {}), ...section };
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(definition.environment)) {
    variables[name] = overrides[name] ?? shell[name] ?? value;
  }
  const credentials: Record<string, string> = {};
  for (const name of credentialVariables) {
    const value = overrides[name] ?? shell[name];
    if (value !== undefined) credentials[name] = value;
  }
  credentials.AWS_REGION ??= credentials.AWS_DEFAULT_REGION ?? 'us-east-1';
  credentials.AWS_DEFAULT_REGION ??= credentials.AWS_REGION;
  const ignored = Object.keys(section).filter((name) => !(name in definition.environment) && !(credentialVariables as readonly string[]).includes(name));
  return { variables, credentials, ignored };
}

/**
 * Local names of the template's buckets. `!Ref LakeBucket` resolves to the logical id;
 * when a function declares a variable as `!Ref <Bucket>` and env.json gives it a value
 * (ValidateFunction's LAKE_BUCKET = "lake"), that value is the bucket's local name.
 * `--bucket Logical=name` overrides; a bucket with neither keeps its logical id.
 */
export function localBucketNames(functions: Iterable<FunctionDefinition>, buckets: string[], envVars: EnvVars, explicit: Record<string, string> = {}): Record<string, string> {
  const names: Record<string, string> = {};
  for (const bucket of buckets) {
    if (explicit[bucket]) {
      names[bucket] = explicit[bucket];
      continue;
    }
    const found = new Set<string>();
    for (const definition of functions) {
      for (const [variable, ref] of Object.entries(definition.environmentRefs)) {
        if (ref !== bucket) continue;
        const section = envVars[definition.logicalId] ?? envVars[definition.functionName] ?? {};
        const value = section[variable] ?? envVars.Parameters?.[variable];
        if (value !== undefined) found.add(value);
      }
    }
    if (found.size > 1) {
      throw new TemplateError(`env.json gives bucket ${bucket} several local names (${[...found].join(', ')}); choose one with --bucket ${bucket}=<name>`);
    }
    names[bucket] = [...found][0] ?? bucket;
  }
  for (const bucket of Object.keys(explicit)) {
    if (!buckets.includes(bucket)) throw new TemplateError(`--bucket ${bucket}: the template has no AWS::S3::Bucket ${bucket}`);
  }
  return names;
}

/** env.json `Parameters` names that no function declares: ignored everywhere. */
export function unusedParameters(functions: Iterable<FunctionDefinition>, envVars: EnvVars): string[] {
  const declared = new Set([...functions].flatMap((definition) => Object.keys(definition.environment)));
  return Object.keys(envVars.Parameters ?? {}).filter((name) => !declared.has(name) && !(credentialVariables as readonly string[]).includes(name));
}

/**
 * Everything an instance's process.env holds: the base a Lambda environment has (PATH, LANG,
 * TZ), the resolved credentials and variables, then Lambda's own variables, which win over
 * anything the template or env.json sets.
 */
export function instanceEnvironment(
  definition: FunctionDefinition,
  resolved: Pick<ResolvedEnvironment, 'variables' | 'credentials'>,
  where: { taskRoot: string; runtimeDir: string; logStreamName: string },
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    ...resolved.credentials,
    ...resolved.variables,
    AWS_LAMBDA_FUNCTION_NAME: definition.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(definition.memorySize),
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(definition.timeoutSeconds),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${definition.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: where.logStreamName,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_EXECUTION_ENV: `AWS_Lambda_${definition.runtime}`,
    AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    _HANDLER: definition.handler,
    LAMBDA_TASK_ROOT: where.taskRoot,
    LAMBDA_RUNTIME_DIR: where.runtimeDir,
  };
}
