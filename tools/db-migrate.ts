import { parseArgs } from 'node:util';
import { migrateReferenceData } from '../layers/reference-data/reference-data.ts';

const usage = `Usage: npm run db:migrate -- [--url postgres://user@host:5432/database?sslmode=require]

Applies the reference database's pending migrations (layers/reference-data/migrations)
and brings its ref.* tables to the shipped rows; running it again changes nothing.
Without --url: the local stack's database (local-stack/env.json). The password may come
from PGPASSWORD instead of the URL (e.g. read from Secrets Manager, see README).`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { url: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return void console.log(usage);
  // The local stack's settings are read only when no URL is given: in AWS there is no env.json to trust.
  const url = values.url ?? (await import('../local-stack/stack.config.ts')).stackSettings.referenceDbUrl;
  const outcome = await migrateReferenceData(url);
  const where = new URL(url);
  console.log(`reference database ${where.host}${where.pathname}`);
  console.log(`  migrations applied: ${outcome.applied.length > 0 ? outcome.applied.join(', ') : 'none (up to date)'}`);
  for (const [table, rows] of Object.entries(outcome.changed)) console.log(`  ref.${table}: ${rows} rows written`);
}

main().catch((error: Error) => {
  console.error(`db:migrate failed: ${error.message}`);
  process.exit(1);
});
