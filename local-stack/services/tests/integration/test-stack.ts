import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { defineStack, type StackDefinition } from '../../definition.ts';
import { readStackSettings, type StackSettings } from '../../settings.ts';

/**
 * A stack of the tests' own: a definition built here, a fresh state folder and free ports,
 * so that it runs beside any other stack. Installing Kafka and building MinIO take minutes,
 * so the state folder links to an existing install: LOCAL_SERVICES_INSTALLED_DIR, by default
 * the .stack folder of the repository that holds this package.
 */

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const installedDir = resolve(process.env.LOCAL_SERVICES_INSTALLED_DIR ?? join(packageDir, '../../.stack'));
const bin = join(packageDir, 'bin/local-services.mjs');

/** A small HTTP server standing in for a project's own service. */
const serviceScript = `require('node:http').createServer((req, res) => res.writeHead(req.url === '/health' ? 200 : 404).end()).listen(Number(process.argv[1]), '127.0.0.1')`;

export interface TestStackOptions {
  stateDir: string;
  ports: { kafka: number; minio: number; service: number; postgres?: number };
}

/** The provision hook of the tests' PostgreSQL: records each call, so a test can count them. */
async function recordProvision(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE TABLE IF NOT EXISTS provisioned (at timestamptz NOT NULL DEFAULT now())');
    await client.query('INSERT INTO provisioned DEFAULT VALUES');
  } finally {
    await client.end();
  }
}

/** The definition the tests run; also the default export of the config file the CLI reads. */
export function testStackDefinition(options: TestStackOptions): StackDefinition {
  return defineStack({
    name: 'services-test',
    stateDir: options.stateDir,
    region: 'us-east-1',
    credentials: { accessKeyId: 'services-test', secretAccessKey: 'services-test-secret' },
    kafka: { port: options.ports.kafka, partitions: 2, topics: ['test.orders', 'test.payments'] },
    s3: { port: options.ports.minio, bucket: 'services-test' },
    ...(options.ports.postgres && {
      postgres: { port: options.ports.postgres, user: 'services_test', password: 'services-test-db', database: 'probe', provision: recordProvision },
    }),
    services: [
      {
        name: 'echo',
        port: options.ports.service,
        healthPath: '/health',
        command: () => ({ executable: process.execPath, args: ['-e', serviceScript, String(options.ports.service)], cwd: options.stateDir, env: {} }),
      },
    ],
  });
}

export interface TestStack {
  settings: StackSettings;
  stateDir: string;
  /** Runs the CLI as a user would; returns its exit code and output. */
  cli(...args: string[]): { code: number | null; output: string };
}

/** Ports nobody listens on now; the second ports (controller, console) follow the first. */
async function freePortPairs(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await new Promise<number>((done) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => done(port));
      });
    });
    if (port < 65_000 && !ports.some((taken) => Math.abs(taken - port) < 2)) ports.push(port);
  }
  return ports;
}

export async function createTestStack(options: { postgres?: boolean } = {}): Promise<TestStack> {
  const linked = ['kafka', 'minio', ...(options.postgres ? ['postgres'] : [])];
  for (const component of linked) {
    if (!existsSync(join(installedDir, component, '.installed'))) {
      throw new Error(`the tests borrow an installed ${component} from ${installedDir}; run the install there first or set LOCAL_SERVICES_INSTALLED_DIR`);
    }
  }
  const stateDir = mkdtempSync(join(tmpdir(), 'local-services-it-'));
  mkdirSync(stateDir, { recursive: true });
  // Run by root, PostgreSQL runs as "nobody", who must be able to reach its data folder inside.
  chmodSync(stateDir, 0o755);
  for (const component of linked) symlinkSync(join(installedDir, component), join(stateDir, component));
  const [kafka, minio, service, postgres] = (await freePortPairs(4)) as [number, number, number, number];
  const stackOptions: TestStackOptions = { stateDir, ports: { kafka, minio, service, ...(options.postgres && { postgres }) } };
  // .mts: the temporary folder has no package.json saying that .ts files are modules.
  const configFile = join(stateDir, 'stack.config.mts');
  writeFileSync(
    configFile,
    `import { testStackDefinition } from ${JSON.stringify(fileURLToPath(import.meta.url))};\nexport default testStackDefinition(${JSON.stringify(stackOptions)});\n`,
  );
  // The definition alone decides; overrides meant for another stack must not leak in.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(KAFKA|MINIO|POSTGRES)_/.test(name)));
  return {
    settings: readStackSettings(testStackDefinition(stackOptions), {}),
    stateDir,
    cli(...args) {
      const result = spawnSync(process.execPath, [bin, ...args, '--config', configFile], { cwd: stateDir, env, encoding: 'utf8', timeout: 240_000 });
      return { code: result.status, output: `${result.stdout}${result.stderr}` };
    },
  };
}
