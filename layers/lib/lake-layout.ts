/**
 * Where things live in the lake bucket. Keys of landing and quarantine objects derive
 * from topic, partition and offsets only, so a retried batch overwrites its own
 * objects instead of adding duplicates.
 */
export const lakePrefixes = {
  landing: 'landing/',
  quarantine: 'quarantine/',
  fileDrop: 'files/',
  tables: 'tables/',
  reports: 'reports/',
} as const;

export interface OffsetRange {
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
}

const paddedOffset = (offset: string) => offset.padStart(20, '0');

function batchObjectKey(prefix: string, source: string, range: OffsetRange): string {
  const { topic, partition, firstOffset, lastOffset } = range;
  return `${prefix}${source}/${topic}/partition=${partition}/${paddedOffset(firstOffset)}-${paddedOffset(lastOffset)}.ndjson`;
}

export const landingObjectKey = (source: string, range: OffsetRange) => batchObjectKey(lakePrefixes.landing, source, range);

export const quarantineObjectKey = (source: string, range: OffsetRange) => batchObjectKey(lakePrefixes.quarantine, source, range);

/** Quarantine object for the unreadable lines of a dropped file; one per file, overwritten on a re-run. */
export const fileQuarantineObjectKey = (source: string, fileKey: string) =>
  `${lakePrefixes.quarantine}${source}/files/${fileKey.slice(lakePrefixes.fileDrop.length).replaceAll('/', '_')}.ndjson`;

/** Per-file accounting: what a dropped file held and where each line went. */
export const fileReportKey = (fileKey: string) => `${lakePrefixes.reports}${fileKey}.json`;

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
