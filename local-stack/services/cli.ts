import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { StackConfigurationError } from './config.ts';
import type { StackDefinition } from './definition.ts';
import { clientEnvironment } from './environment.ts';
import { say, setQuiet } from './progress.ts';
import { readStackSettings, type StackSettings } from './settings.ts';
import { allHealthy, down, formatStatus, install, status, up } from './stack.ts';

/**
 * local-services: installs and runs Kafka (KRaft), MinIO, Spark + Delta Lake and a
 * project's own services without Docker, as a stack definition describes them.
 */

type Flags = Record<string, boolean | string | undefined>;
type OptionSpec = { type: 'boolean' | 'string'; description: string };

interface Command {
  summary: string;
  options: Record<string, OptionSpec>;
  run(settings: StackSettings, flags: Flags): Promise<number>;
}

const commands: Record<string, Command> = {
  install: {
    summary: 'download and build what the stack needs into the state folder (Kafka jars, MinIO, Python venv, Spark jars, Node.js); idempotent',
    options: {},
    async run(settings) {
      await install(settings);
      return 0;
    },
  },
  up: {
    summary: 'install what is missing, start every component, wait until each is healthy; idempotent',
    options: {},
    async run(settings) {
      await up(settings);
      return 0;
    },
  },
  down: {
    summary: 'stop the processes the stack started and wait until their ports are free',
    options: { purge: { type: 'boolean', description: 'also delete the state folder: installed tools, data and logs' } },
    async run(settings, flags) {
      await down(settings, { purge: flags.purge === true });
      return 0;
    },
  },
  env: {
    summary: 'print the variables that reach the stack (S3_ENDPOINT, credentials, KAFKA_BROKERS, ...) as shell assignments',
    options: {},
    async run(settings) {
      for (const [name, value] of Object.entries(clientEnvironment(settings))) console.log(`export ${name}='${value}'`);
      return 0;
    },
  },
  status: {
    summary: 'show each component: ports, pid, health, log file; exits non-zero unless all are healthy',
    options: {
      quiet: { type: 'boolean', description: 'print nothing; only the exit code tells' },
      deep: { type: 'boolean', description: 'also write and read a Delta table on MinIO with Spark (about 20 s)' },
    },
    async run(settings, flags) {
      setQuiet(flags.quiet === true);
      const rows = await status(settings, { deep: flags.deep === true });
      say(formatStatus(rows));
      return allHealthy(rows) ? 0 : 1;
    },
  },
};

const commonOptions: Record<string, OptionSpec> = {
  config: { type: 'string', description: 'the stack definition, a module whose default export is defineStack({...}) (default: ./stack.config.ts)' },
  'state-dir': { type: 'string', description: "the folder that holds all state (default: the definition's stateDir)" },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, command]) => `  ${name.padEnd(8)} ${command.summary}`);
  return `usage: local-services <command> [--config <file>] [--state-dir <dir>] [options]\n\ncommands:\n${lines.join('\n')}\n\n<command> --help shows its options.`;
}

function commandUsage(name: string, command: Command): string {
  const all = { ...command.options, ...commonOptions, help: { type: 'boolean', description: 'show this help' } };
  const options = Object.entries(all).map(([option, spec]) => `  --${option.padEnd(10)} ${spec.description}`);
  return `usage: local-services ${name} [options]\n\n${command.summary}\n\noptions:\n${options.join('\n')}`;
}

async function loadDefinition(path: string): Promise<StackDefinition> {
  const module = (await import(pathToFileURL(resolve(path)).href)) as { default?: StackDefinition };
  if (!module.default) throw new StackConfigurationError(`${path} has no default export (export default defineStack({...}))`);
  return module.default;
}

async function main(argv: string[]): Promise<number> {
  // Node 20 may run this; the SDK's notice about Node 22 would bury the status table.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  let flags: Flags;
  try {
    const options = { ...command.options, ...commonOptions, help: { type: 'boolean', short: 'h' } } as const;
    flags = parseArgs({ args: rest, options, strict: true }).values as Flags;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${commandUsage(name, command)}`);
    return 2;
  }
  if (flags.help) {
    console.log(commandUsage(name, command));
    return 0;
  }
  try {
    const definition = await loadDefinition((flags.config as string | undefined) ?? 'stack.config.ts');
    const stateDir = flags['state-dir'] as string | undefined;
    const settings = readStackSettings(stateDir ? { ...definition, stateDir: resolve(stateDir) } : definition);
    return await command.run(settings, flags);
  } catch (error) {
    if (flags.quiet !== true) console.error(`\nlocal-services ${name} failed: ${(error as Error).message}`);
    return 1;
  }
}

// Exit explicitly: a client socket left half-closed by a failed check must not keep the command alive.
process.exit(await main(process.argv.slice(2)));
