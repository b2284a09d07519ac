import type { BenchSizes } from './stage.ts';

/** Command-line sizes: defaults for a full run, a tiny set for `--tiny`, flags over either. Pure. */

export const defaultSizes: BenchSizes = {
  runs: 5,
  recordBytes: 1024,
  validateRecords: 10_000,
  invokeEventBytes: 6 * 1024 * 1024,
  coldStartRuns: 11,
  ingestRecords: 300_000,
  ingestClients: 8,
  ingestBatch: 100,
  bridgeBatches: 50,
  mergeRows: [10_000, 100_000],
  mergeTableRows: 1_000_000,
  freshnessSeconds: 90,
  freshnessRate: 200,
};

export const tinySizes: BenchSizes = {
  runs: 1,
  recordBytes: 1024,
  validateRecords: 200,
  invokeEventBytes: 256 * 1024,
  coldStartRuns: 1,
  ingestRecords: 2_000,
  ingestClients: 2,
  ingestBatch: 100,
  bridgeBatches: 3,
  mergeRows: [200],
  mergeTableRows: 0,
  freshnessSeconds: 4,
  freshnessRate: 20,
};

/** Flag name (without --) to the size it sets. */
export const sizeFlags: Record<string, keyof BenchSizes> = {
  runs: 'runs',
  'record-bytes': 'recordBytes',
  'validate-records': 'validateRecords',
  'invoke-event-bytes': 'invokeEventBytes',
  'cold-start-runs': 'coldStartRuns',
  'ingest-records': 'ingestRecords',
  'ingest-clients': 'ingestClients',
  'ingest-batch': 'ingestBatch',
  'bridge-batches': 'bridgeBatches',
  'merge-rows': 'mergeRows',
  'merge-table-rows': 'mergeTableRows',
  'freshness-seconds': 'freshnessSeconds',
  'freshness-rate': 'freshnessRate',
};

/** "100k" -> 100000, "1m" -> 1000000, "6mb" -> 6 MiB; plain numbers as they are. */
export function parseCount(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(k|m|kb|mb)?$/i.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a count (e.g. 5000, 100k, 1m, 6mb)`);
  const number = Number(match[1]);
  const unit = (match[2] ?? '').toLowerCase();
  const factor = { '': 1, k: 1_000, m: 1_000_000, kb: 1024, mb: 1024 * 1024 }[unit]!;
  const value = Math.round(number * factor);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`"${text}" must be a positive count`);
  return value;
}

export function resolveSizes(tiny: boolean, flags: Record<string, string | undefined>, options: { merge1m?: boolean } = {}): BenchSizes {
  const sizes: BenchSizes = { ...(tiny ? tinySizes : defaultSizes), mergeRows: [...(tiny ? tinySizes : defaultSizes).mergeRows] };
  for (const [flag, key] of Object.entries(sizeFlags)) {
    const text = flags[flag];
    if (text === undefined) continue;
    if (key === 'mergeRows') sizes.mergeRows = text.split(',').map(parseCount);
    else (sizes[key] as number) = parseCount(text);
  }
  if (options.merge1m && !sizes.mergeRows.includes(1_000_000)) sizes.mergeRows.push(1_000_000);
  return sizes;
}

/** `--only a,b --only c` -> ["a", "b", "c"], checked against the known stage names. */
export function selectStages(only: string[] | undefined, known: string[]): string[] {
  if (!only || only.length === 0) return known;
  const wanted = only.flatMap((item) => item.split(',')).map((name) => name.trim()).filter(Boolean);
  const unknown = wanted.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`unknown stage ${unknown.join(', ')}; stages: ${known.join(', ')}`);
  return known.filter((name) => wanted.includes(name));
}
