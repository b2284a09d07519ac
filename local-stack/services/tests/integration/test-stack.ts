import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { defineStack, type StackDefinition } from '../../definition.ts';
import { preparePrivateStack } from '../../private-stack.ts';
import { readStackSettings, type StackSettings } from '../../settings.ts';

/**
 * A stack of the tests' own (a private stack: a definition built here, a fresh state folder
 * and free ports), driven through the CLI. The state folder links to an existing install:
 * LOCAL_SERVICES_INSTALLED_DIR, by default the .stack folder of the repository that holds
 * this package.
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

export async function createTestStack(options: { postgres?: boolean } = {}): Promise<TestStack> {
  const { stateDir, ports } = await preparePrivateStack({
    installedDir,
    components: ['kafka', 'minio', ...(options.postgres ? ['postgres'] : [])],
    ports: 4,
    name: 'local-services-it',
  });
  const [kafka, minio, service, postgres] = ports as [number, number, number, number];
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
