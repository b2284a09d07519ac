import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { currencies } from '#contracts/rules/currency.ts';

/**
 * The reference database: its schema under versioned migrations (node-pg-migrate, SQL
 * files in migrations/) and its rows from this folder (seed/*.csv) and from the contracts'
 * currency list. `migrateReferenceData` applies both; running it again changes nothing.
 */

export const migrationsDir = fileURLToPath(new URL('./migrations', import.meta.url));
const seedFile = (name: string) => fileURLToPath(new URL(`./seed/${name}`, import.meta.url));

type Row = Record<string, string | number>;

/** A CSV file with a header line, as rows keyed by the header's names; a row with another field count fails with its line. */
export async function readSeed(name: string): Promise<Row[]> {
  return parse(await readFile(seedFile(name)), { columns: true }) as Row[];
}

interface SeededTable {
  /** A table of the ref schema. */
  table: string;
  key: string[];
  rows(): Promise<Row[]>;
}

/** In an order that satisfies the foreign keys (deletes run in reverse). */
export const seededTables: SeededTable[] = [
  { table: 'currencies', key: ['code'], rows: async () => currencies.map((c) => ({ code: c.code, name: c.name, minor_units: c.minorUnits })) },
  { table: 'lines_of_business', key: ['code'], rows: () => readSeed('lines-of-business.csv') },
  { table: 'insurance_products', key: ['code'], rows: () => readSeed('insurance-products.csv') },
  { table: 'merchant_categories', key: ['code'], rows: () => readSeed('merchant-categories.csv') },
  { table: 'fx_rates', key: ['rate_date', 'base_currency', 'quote_currency'], rows: () => readSeed('fx-rates.csv') },
];

export interface MigrationOutcome {
  /** Migrations applied by this run, oldest first. */
  applied: string[];
  /** Rows inserted, updated or deleted per table so that it holds exactly the shipped rows. */
  changed: Record<string, number>;
}

const refTable = (client: pg.ClientBase, table: string) => `ref.${client.escapeIdentifier(table)}`;

/** Inserts the rows whose key is new and updates those that differ; returns how many it wrote. */
async function upsertRows(client: pg.ClientBase, { table, key }: SeededTable, rows: Row[]): Promise<number> {
  const name = refTable(client, table);
  const columns = Object.keys(rows[0]!).map((column) => client.escapeIdentifier(column));
  const keys = key.map((column) => client.escapeIdentifier(column));
  const values = columns.filter((column) => !keys.includes(column));
  const result = await client.query(
    `INSERT INTO ${name} AS t (${columns.join(', ')})
     SELECT ${columns.join(', ')} FROM jsonb_populate_recordset(NULL::${name}, $1::jsonb)
     ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${values.map((column) => `${column} = EXCLUDED.${column}`).join(', ')}
     WHERE (${values.map((column) => `t.${column}`).join(', ')}) IS DISTINCT FROM (${values.map((column) => `EXCLUDED.${column}`).join(', ')})`,
    [JSON.stringify(rows)],
  );
  return result.rowCount ?? 0;
}

/** Deletes the rows whose key is not among `rows`; returns how many. */
async function deleteOtherRows(client: pg.ClientBase, { table, key }: SeededTable, rows: Row[]): Promise<number> {
  const name = refTable(client, table);
  const keys = key.map((column) => client.escapeIdentifier(column));
  const result = await client.query(
    `DELETE FROM ${name} AS t WHERE NOT EXISTS (
       SELECT 1 FROM jsonb_populate_recordset(NULL::${name}, $1::jsonb) AS s
       WHERE (${keys.map((column) => `s.${column}`).join(', ')}) = (${keys.map((column) => `t.${column}`).join(', ')}))`,
    [JSON.stringify(rows)],
  );
  return result.rowCount ?? 0;
}

/** Applies pending migrations, then brings the ref tables to the shipped rows, in one transaction. */
export async function migrateReferenceData(url: string): Promise<MigrationOutcome> {
  const migrations = await runner({
    databaseUrl: url,
    dir: migrationsDir,
    migrationsTable: 'pgmigrations',
    direction: 'up',
    checkOrder: true,
    singleTransaction: true,
    log: () => undefined,
  });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const loaded = await Promise.all(seededTables.map(async (seeded) => ({ seeded, rows: await seeded.rows() })));
    await client.query('BEGIN');
    const changed: Record<string, number> = {};
    for (const { seeded, rows } of loaded) changed[seeded.table] = await upsertRows(client, seeded, rows);
    // Deletes after every upsert, children first, so that no foreign key is left dangling.
    for (const { seeded, rows } of [...loaded].reverse()) changed[seeded.table]! += await deleteOtherRows(client, seeded, rows);
    await client.query('COMMIT');
    return { applied: migrations.map((migration) => migration.name), changed };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
