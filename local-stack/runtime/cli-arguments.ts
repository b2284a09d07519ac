import { parseArgs } from 'node:util';

export interface CommonArguments {
  templatePath?: string;
  envVarsPath?: string;
  stateDir?: string;
  /** The Node.js to run on (function instances are its threads). */
  lambdaNode?: string;
  parameterOverrides: string[];
  bucketNames: Record<string, string>;
  help: boolean;
}

/**
 * Like SAM, `--parameter-overrides` takes the space-separated pairs that follow it
 * (`--parameter-overrides Stage=local JobSubmitter=local`); the rest goes to parseArgs.
 */
export function parseCommandLine(argv: string[], extra: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {}) {
  const overrides: string[] = [];
  const rest: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '--parameter-overrides') {
      while (index + 1 < argv.length && !argv[index + 1]!.startsWith('--')) overrides.push(argv[++index]!);
    } else if (argument.startsWith('--parameter-overrides=')) overrides.push(argument.slice('--parameter-overrides='.length));
    else rest.push(argument);
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: {
      template: { type: 'string', short: 't' },
      'env-vars': { type: 'string', short: 'n' },
      'state-dir': { type: 'string' },
      'lambda-node': { type: 'string' },
      bucket: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
      ...extra,
    },
  });
  const bucketNames: Record<string, string> = {};
  for (const item of (values.bucket as string[] | undefined) ?? []) {
    const [logicalId, name] = item.split('=');
    if (!logicalId || !name) throw new Error(`--bucket ${item} is not <LogicalId>=<local bucket name>`);
    bucketNames[logicalId] = name;
  }
  const common: CommonArguments = {
    templatePath: values.template as string | undefined,
    envVarsPath: values['env-vars'] as string | undefined,
    stateDir: values['state-dir'] as string | undefined,
    lambdaNode: values['lambda-node'] as string | undefined,
    parameterOverrides: overrides,
    bucketNames,
    help: Boolean(values.help),
  };
  return { common, values: values as Record<string, unknown>, positionals };
}
