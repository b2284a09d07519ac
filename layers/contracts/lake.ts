import { createHash } from 'node:crypto';
import { maskCardNumbers } from './card-data.ts';

/**
 * The lake contract: where things live in the lake bucket (the line formats of its
 * NDJSON objects are in lake-lines.ts). Written once here; `npm run contracts:export` copies it, with the
 * source contracts, into spark/ledgerflow_spark/lake_contract.json, which the Spark jobs
 * read instead of keeping their own copy.
 *
 * Keys of landing and quarantine objects derive from topic, partition and offsets only
 * (Kinesis: stream, shard and sequence numbers), so a retried batch overwrites its own
 * objects instead of adding duplicates. A batch read again with other boundaries (after a
 * crash between the S3 write and the offset commit) gets other keys; the merge loads each
 * record once, by position and event id (spark/ledgerflow_spark/redelivery.py parses these keys).
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
  /** A Kinesis batch: one shard, its first and last sequence numbers. */
  kinesisLanding: `${sourcePrefix(lakePrefixes.landing, '{source}')}{stream}/shard={shardId}/{firstSequenceNumber}-{lastSequenceNumber}.ndjson`,
  kinesisQuarantine: `${sourcePrefix(lakePrefixes.quarantine, '{source}')}{stream}/shard={shardId}/{firstSequenceNumber}-{lastSequenceNumber}.ndjson`,
  /** Unreadable lines of a dropped file; `fileName` is fileObjectName of the file's key. */
  fileQuarantine: `${sourcePrefix(lakePrefixes.quarantine, '{source}')}files/{fileName}.ndjson`,
  /** Per-file accounting: what a dropped file held and where each line went. */
  fileReport: `${lakePrefixes.reports}${lakePrefixes.fileDrop}{fileName}.json`,
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

/** Sequence numbers are zero-padded to AWS's usual 56 digits in keys, so keys of one shard sort by position. */
export const sequenceNumberDigits = 56;

export interface SequenceRange {
  stream: string;
  shardId: string;
  firstSequenceNumber: string;
  lastSequenceNumber: string;
}

function kinesisObjectKey(format: string, source: string, range: SequenceRange): string {
  const firstSequenceNumber = range.firstSequenceNumber.padStart(sequenceNumberDigits, '0');
  const lastSequenceNumber = range.lastSequenceNumber.padStart(sequenceNumberDigits, '0');
  return formatKey(format, { source, stream: range.stream, shardId: range.shardId, firstSequenceNumber, lastSequenceNumber });
}

export const kinesisLandingObjectKey = (source: string, range: SequenceRange) => kinesisObjectKey(objectKeyFormats.kinesisLanding, source, range);

export const kinesisQuarantineObjectKey = (source: string, range: SequenceRange) => kinesisObjectKey(objectKeyFormats.kinesisQuarantine, source, range);

/** Characters a name built from a dropped file's key keeps; any other becomes "_". */
const unsafeNameCharacters = /[^A-Za-z0-9._-]/g;

/** Characters of the file's own name kept in a name built from it. */
const maxReadableNameLength = 80;

/**
 * The name of the objects written about a dropped file, made from its key (user text)
 * without carrying it raw: a 64-bit hash of the whole key in letters a to p (no digits,
 * so no card number; no "_" or "." first, which Spark would take for a hidden file),
 * then the key below files/ shortened, its card numbers masked and every character
 * outside [A-Za-z0-9._-] (spaces, "/", "[", "{", "*", "?", non-ASCII) replaced by "_",
 * so no glob or path syntax reaches a reader. The same key always gives the same name:
 * processing a file again overwrites its objects. The original key travels in the
 * report's body and in the objects' metadata.
 */
export function fileObjectName(fileKey: string): string {
  const hash = [...createHash('sha256').update(fileKey).digest().subarray(0, 8)].map((byte) => letters[byte >> 4]! + letters[byte & 15]!).join('');
  const readable = maskCardNumbers([...fileKey.slice(lakePrefixes.fileDrop.length)].slice(0, maxReadableNameLength).join(''));
  return `${hash}-${readable.replace(unsafeNameCharacters, '_')}`;
}

const letters = 'abcdefghijklmnop';

/** Quarantine object for the unreadable lines of a dropped file; one per file, overwritten on a re-run. */
export const fileQuarantineObjectKey = (source: string, fileKey: string) => formatKey(objectKeyFormats.fileQuarantine, { source, fileName: fileObjectName(fileKey) });

/** The report of a dropped file (read or ignored); one per file, overwritten on a re-run. */
export const fileReportKey = (fileKey: string) => formatKey(objectKeyFormats.fileReport, { fileName: fileObjectName(fileKey) });

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

/** Gold tables, built by Spark from curated tables and the reference database (spark/ledgerflow_spark/gold.py). */
export const goldTables = ['transactions_daily', 'claims_by_product', 'policies_history'] as const;
export type GoldTable = (typeof goldTables)[number];

export const goldTableName = (table: GoldTable) => `gold.${table}`;

export const goldTablePath = (table: GoldTable) => `${lakePrefixes.tables}gold/${table}`;
