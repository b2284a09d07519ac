import { randomUUID } from 'node:crypto';
import { requireRunning, withPostgres } from '@ledgerflow/local-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currencies } from '#contracts/rules/currency.ts';
import { stackSettings } from '../../local-stack/stack.config.ts';
import { migrateReferenceData, readSeed } from '../../layers/reference-data/reference-data.ts';

/** Migrations and seed rows on the stack's real PostgreSQL, in a database of the test's own. */

const postgres = stackSettings.postgres!;
const database = `reference_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const url = `postgres://${postgres.user}:${encodeURIComponent(postgres.password)}@127.0.0.1:${postgres.port}/${database}`;
const query = <T extends object>(sql: string) => withPostgres(postgres, async (client) => (await client.query<T>(sql)).rows, database);

beforeAll(async () => {
  await requireRunning(stackSettings, ['postgres'], { startCommand: 'npm run stack:up' });
  await withPostgres(postgres, (client) => client.query(`CREATE DATABASE ${database}`), 'postgres');
});

afterAll(async () => {
  await withPostgres(postgres, (client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`), 'postgres');
});

describe('reference data migrations', () => {
  it('creates the ref tables and fills them with the shipped rows on an empty database', async () => {
    const outcome = await migrateReferenceData(url);

    expect(outcome.applied).toEqual(['1780000000000_reference-tables']);
    expect(outcome.changed.currencies).toBe(currencies.length);
    const stored = await query<{ code: string; name: string; minor_units: number }>('SELECT code, name, minor_units FROM ref.currencies ORDER BY code');
    expect(stored).toEqual(currencies.map((currency) => ({ code: currency.code, name: currency.name, minor_units: currency.minorUnits })));
    const [fx] = await query<{ n: string }>('SELECT count(*) AS n FROM ref.fx_rates');
    const shipped = await readSeed('fx-rates.csv');
    expect(Number(fx!.n)).toBe(shipped.length);
  });

  it('changes nothing when run again', async () => {
    const before = await query('SELECT xmin::text, * FROM ref.fx_rates ORDER BY rate_date, base_currency');

    const again = await migrateReferenceData(url);

    expect(again.applied).toEqual([]);
    expect(Object.values(again.changed).every((rows) => rows === 0)).toBe(true);
    expect(await query('SELECT xmin::text, * FROM ref.fx_rates ORDER BY rate_date, base_currency')).toEqual(before);
  });

  it('puts back a row changed by hand and removes one the shipped data does not have', async () => {
    await query("UPDATE ref.merchant_categories SET description = 'edited' WHERE code = '5812'");
    await query("INSERT INTO ref.merchant_categories VALUES ('0001', 'not shipped', 'Test')");

    const repaired = await migrateReferenceData(url);

    expect(repaired.changed.merchant_categories).toBe(2);
    expect(await query("SELECT code, description FROM ref.merchant_categories WHERE code IN ('5812', '0001')")).toEqual([
      { code: '5812', description: 'Eating Places, Restaurants' },
    ]);
  });
});
