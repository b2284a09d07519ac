import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPostgres } from '../../components/postgres.ts';
import { createTestStack, type TestStack } from './test-stack.ts';

/** PostgreSQL as `up` leaves it, in a stack of the tests' own (free ports, a temporary state folder). */

let stack: TestStack;

beforeAll(async () => {
  stack = await createTestStack({ postgres: true });
  const up = stack.cli('up');
  if (up.code !== 0) throw new Error(`up failed:\n${up.output}`);
});

afterAll(() => {
  stack?.cli('down', '--purge');
});

const postgres = () => stack.settings.postgres!;
const provisionCount = () => withPostgres(postgres(), async (client) => Number((await client.query('SELECT count(*) AS n FROM provisioned')).rows[0].n));

describe('PostgreSQL', () => {
  it("creates the definition's database and answers a query there with the definition's password", async () => {
    const answer = await withPostgres(postgres(), async (client) => (await client.query('SELECT current_database() AS db, current_user AS who')).rows[0]);

    expect(answer).toEqual({ db: 'probe', who: 'services_test' });
  });

  it('refuses a wrong password (scram-sha-256)', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: postgres().port, user: postgres().user, password: 'not-the-password', database: 'probe' });
    try {
      await expect(client.connect()).rejects.toThrow(/password authentication failed/);
    } finally {
      await client.end().catch(() => undefined);
    }
  });

  it('listens on loopback only and requires passwords', async () => {
    const settings = await withPostgres(postgres(), async (client) => ({
      listen: (await client.query('SHOW listen_addresses')).rows[0].listen_addresses,
      encryption: (await client.query('SHOW password_encryption')).rows[0].password_encryption,
      trust: Number((await client.query("SELECT count(*) AS n FROM pg_hba_file_rules WHERE auth_method = 'trust'")).rows[0].n),
    }));

    expect(settings).toEqual({ listen: '127.0.0.1', encryption: 'scram-sha-256', trust: 0 });
  });

  it('is shown healthy by status, with a query answered', () => {
    const status = stack.cli('status');

    expect(status.code, status.output).toBe(0);
    expect(status.output).toMatch(/^postgres\s.*healthy: database probe answers a query \(PostgreSQL \d+/m);
  });

  it("runs the definition's provision hook on every up, also when the server already runs", async () => {
    const before = await provisionCount();

    const again = stack.cli('up');

    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain('✓ postgres is already running');
    expect(await provisionCount()).toBe(before + 1);
  });

  it('keeps its data across down and up', async () => {
    await withPostgres(postgres(), (client) => client.query('CREATE TABLE kept (id int PRIMARY KEY); INSERT INTO kept VALUES (7)'));

    expect(stack.cli('down').code).toBe(0);
    const up = stack.cli('up');

    expect(up.code, up.output).toBe(0);
    expect(await withPostgres(postgres(), async (client) => (await client.query('SELECT id FROM kept')).rows)).toEqual([{ id: 7 }]);
  });
});
