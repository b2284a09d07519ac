import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { type LakeLayer, tablePath } from '#contracts/lake.ts';
import { stackSettings } from '../../local-stack/stack.config.ts';
import { runPython } from './reconcile.ts';
import type { AcceptedRecord } from './send-records.ts';
import { lakeClient } from './settle.ts';

export interface DuplicateRow {
  /** `raw.<source>`, `quarantine.<source>` or `curated.<source>_all`. */
  table: string;
  eventId: string;
  rows: number;
}

/** The tables that hold a record by its event id, and that column. */
const eventIdColumns = (source: string): { layer: LakeLayer; table: string; column: string }[] => [
  { layer: 'raw', table: `raw.${source}`, column: 'event_id' },
  { layer: 'quarantine', table: `quarantine.${source}`, column: 'event_id' },
  { layer: 'curated', table: `curated.${source}_all`, column: '_event_id' },
];

/**
 * The accepted records that have more than one row in a raw, quarantine or curated table.
 * The reconciliation counts distinct event ids; this counts rows, so that a record loaded
 * twice (two landing objects holding it) shows. One Spark SQL query over the tables that
 * exist (`npm run lake:query`'s module); the result comes back as one JSON cell.
 */
export async function duplicateRows(accepted: AcceptedRecord[]): Promise<DuplicateRow[]> {
  const sources = [...new Set(accepted.map((record) => record.source))].sort();
  const tables = [];
  for (const entry of sources.flatMap((source) => eventIdColumns(source).map((columns) => ({ ...columns, source })))) {
    if (await isDeltaTable(tablePath(entry.layer, entry.source))) tables.push(entry);
  }
  const counts = tables.map(({ table, column }) => `SELECT '${table}' AS t, ${column} AS id, count(*) AS n FROM ${table} WHERE ${column} IS NOT NULL GROUP BY ${column} HAVING count(*) > 1`);
  if (counts.length === 0) return [];
  const sql = `SELECT to_json(collect_list(named_struct('table', t, 'eventId', id, 'rows', n))) AS duplicates FROM (${counts.join(' UNION ALL ')})`;
  const stdout = await runPython(['-m', 'ledgerflow_spark.lake', '--bucket', stackSettings.lakeBucket, 'query', sql]);
  const cell = stdout.split('\n').find((line) => line.startsWith('|['));
  if (!cell) throw new Error(`the duplicate query printed no result:\n${stdout.slice(-2000)}`);
  const ids = new Set(accepted.map((record) => record.eventId));
  return (JSON.parse(cell.slice(1, cell.lastIndexOf('|')).trim()) as DuplicateRow[]).filter((row) => ids.has(row.eventId));
}

/** A Delta table exists once its log has a first commit (the query would fail on a missing one). */
async function isDeltaTable(path: string): Promise<boolean> {
  const page = await lakeClient().send(new ListObjectsV2Command({ Bucket: stackSettings.lakeBucket, Prefix: `${path}/_delta_log/`, MaxKeys: 1 }));
  return (page.KeyCount ?? 0) > 0;
}
