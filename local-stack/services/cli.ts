import { parseArgs } from 'node:util';
import { say, setQuiet } from './progress.ts';
import { clientEnvironment, stackSettings } from './settings.ts';
import { allHealthy, down, formatStatus, install, status, up } from './stack.ts';

/**
 * The local stack without Docker: Kafka (KRaft), MinIO, Spark + Delta Lake and the
 * Spark job service, all state under .stack/. See local-stack/README.md.
 */

interface Command {
  summary: string;
  options: Record<string, { type: 'boolean'; description: string }>;
  run(flags: Record<string, boolean | undefined>): Promise<number>;
}

const commands: Record<string, Command> = {
  install: {
    summary: 'download and build what the stack needs into .stack/ (Kafka jars, MinIO, Python venv, Spark jars); idempotent',
    options: {},
    async run() {
      await install(stackSettings);
      return 0;
    },
  },
  up: {
    summary: 'install what is missing, start every component, wait until each is healthy; idempotent',
    options: {},
    async run() {
      await up(stackSettings);
      return 0;
    },
  },
  down: {
    summary: 'stop the processes the stack started and wait until their ports are free',
    options: { purge: { type: 'boolean', description: 'also delete .stack/: installed tools, data and logs' } },
    async run(flags) {
      await down(stackSettings, { purge: flags.purge === true });
      return 0;
    },
  },
  env: {
    summary: 'print the variables that reach the stack (KAFKA_BROKERS, S3_ENDPOINT, credentials, ...) as shell assignments',
    options: {},
    async run() {
      for (const [name, value] of Object.entries(clientEnvironment(stackSettings))) console.log(`export ${name}='${value}'`);
      return 0;
    },
  },
  status: {
    summary: 'show each component: ports, pid, health, log file; exits non-zero unless all are healthy',
    options: {
      quiet: { type: 'boolean', description: 'print nothing; only the exit code tells' },
      deep: { type: 'boolean', description: 'also write and read a Delta table on MinIO with Spark (about 20 s)' },
    },
    async run(flags) {
      setQuiet(flags.quiet === true);
      const rows = await status(stackSettings, { deep: flags.deep === true });
      say(formatStatus(rows));
      return allHealthy(rows) ? 0 : 1;
    },
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, command]) => `  ${name.padEnd(8)} ${command.summary}`);
  return `usage: npm run stack:<command> -- [options]\n\ncommands:\n${lines.join('\n')}\n\n<command> --help shows its options.`;
}

function commandUsage(name: string, command: Command): string {
  const options = Object.entries({ ...command.options, help: { type: 'boolean', description: 'show this help' } }).map(
    ([option, spec]) => `  --${option.padEnd(8)} ${spec.description}`,
  );
  return `usage: npm run stack:${name} -- [options]\n\n${command.summary}\n\noptions:\n${options.join('\n')}`;
}

async function main(argv: string[]): Promise<number> {
  // Node 20 is the project's runtime (package.json engines); the SDK's notice about Node 22 would bury the table.
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
  let flags: Record<string, boolean | undefined>;
  try {
    flags = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, strict: true }).values as Record<
      string,
      boolean | undefined
    >;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${commandUsage(name, command)}`);
    return 2;
  }
  if (flags.help) {
    console.log(commandUsage(name, command));
    return 0;
  }
  try {
    return await command.run(flags);
  } catch (error) {
    if (flags.quiet !== true) console.error(`\nstack:${name} failed: ${(error as Error).message}`);
    return 1;
  }
}

// Exit explicitly: a client socket left half-closed by a failed check must not keep the command alive.
process.exit(await main(process.argv.slice(2)));
