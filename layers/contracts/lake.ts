/**
 * The lake contract: where things live in the lake bucket (the line formats of its
 * NDJSON objects are in lake-lines.ts). Written once here; `npm run contracts:export` copies it, with the
 * source contracts, into spark/ledgerflow_spark/lake_contract.json, which the Spark jobs
 * read instead of keeping their own copy.
 *
 * Keys of landing and quarantine objects derive from topic, partition and offsets only,
 * so a retried batch overwrites its own objects instead of adding duplicates.
 */

export const lakePrefixes = {
  landing: 'landing/',
  quarantine: 'quarantine/',
  fileDrop: 'files/',
  tables: 'tables/',
  reports: 'reports/',
} as const;

/** Objects of one source sit under `<prefix><source>/`. */
export const sourcePrefix = (prefix: string, source: string) => `${prefix}${source}/`;

/** Offsets are zero-padded in keys, so keys of one partition sort by offset. */
export const offsetDigits = 20;

/** Object key formats: each `{name}` is replaced by the value of that name. */
export const objectKeyFormats = {
  landing: `${sourcePrefix(lakePrefixes.landing, '{source}')}{topic}/partition={partition}/{firstOffset}-{lastOffset}.ndjson`,
  quarantine: `${sourcePrefix(lakePrefixes.quarantine, '{source}')}{topic}/partition={partition}/{firstOffset}-{lastOffset}.ndjson`,
  /** Unreadable lines of a dropped file; `fileName` is the file's key below its source folder, "/" as "_". */
  fileQuarantine: `${sourcePrefix(lakePrefixes.quarantine, '{source}')}files/{fileName}.ndjson`,
  /** Per-file accounting: what a dropped file held and where each line went. */
  fileReport: `${lakePrefixes.reports}{fileKey}.json`,
} as const;

const formatKey = (format: string, values: Record<string, string | number>) =>
  format.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name]));

export interface OffsetRange {
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
}

function batchObjectKey(format: string, source: string, range: OffsetRange): string {
  const firstOffset = range.firstOffset.padStart(offsetDigits, '0');
  const lastOffset = range.lastOffset.padStart(offsetDigits, '0');
  return formatKey(format, { source, topic: range.topic, partition: range.partition, firstOffset, lastOffset });
}

export const landingObjectKey = (source: string, range: OffsetRange) => batchObjectKey(objectKeyFormats.landing, source, range);

export const quarantineObjectKey = (source: string, range: OffsetRange) => batchObjectKey(objectKeyFormats.quarantine, source, range);

/** Quarantine object for the unreadable lines of a dropped file; one per file, overwritten on a re-run. */
export const fileQuarantineObjectKey = (source: string, fileKey: string) =>
  formatKey(objectKeyFormats.fileQuarantine, { source, fileName: fileKey.slice(lakePrefixes.fileDrop.length).replaceAll('/', '_') });

export const fileReportKey = (fileKey: string) => formatKey(objectKeyFormats.fileReport, { fileKey });

/** S3 event keys are URL-encoded, with spaces as "+". */
export const decodeObjectKey = (key: string) => decodeURIComponent(key.replace(/\+/g, ' '));

/** NDJSON body of a lake object. */
export const toNdjson = (lines: unknown[]) => `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;

/** The source a landing or quarantine key belongs to, or undefined for a foreign key. */
export function sourceOfObjectKey(key: string, prefix: string): string | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const source = key.slice(prefix.length).split('/')[0];
  return source ? source : undefined;
}

/** The Delta tables of each source, one per layer. */
export const lakeLayers = ['raw', 'curated', 'quarantine'] as const;
export type LakeLayer = (typeof lakeLayers)[number];

/** SQL name of a table, e.g. `curated.claims`. */
export const tableName = (layer: LakeLayer, source: string) => `${layer}.${source}`;

/** Where a table lives below the bucket's root, e.g. `tables/curated/claims`. */
export const tablePath = (layer: LakeLayer, source: string) => `${lakePrefixes.tables}${layer}/${source}`;
