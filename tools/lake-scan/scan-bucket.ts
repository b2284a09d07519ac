import { GetObjectCommand, type GetObjectCommandOutput, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parquetReadObjects } from 'hyparquet';
import { type Finding, findingsInLine, findingsInText, findingsInValue, type ScanScope } from './findings.ts';

export interface ScanReport {
  /** Objects, or messages, read. */
  scanned: number;
  findings: Finding[];
  /** What could not be read, with why: the scan is incomplete. */
  unreadable: string[];
}

export interface BucketScanOptions {
  s3: S3Client;
  bucket: string;
  /** Key prefixes to scan; "" is the whole bucket. */
  prefixes: string[];
  onFinding: (finding: Finding) => void;
  onProgress: (scanned: number, total: number) => void;
}

/** Objects read at once: enough to hide each request's latency, few enough for a small machine. */
const concurrency = 4;

/**
 * Every object under the prefixes: its key, its user metadata and its content. Parquet
 * files (the Delta tables' data files and checkpoints) are read row by row, column by
 * column; every other object (NDJSON, the Delta log's JSON, dropped CSV files, reports)
 * line by line as UTF-8 text.
 */
export async function scanBucket(options: BucketScanOptions): Promise<ScanReport> {
  const { s3, bucket } = options;
  const keys = [...new Set((await Promise.all(options.prefixes.map((prefix) => listKeys(s3, bucket, prefix)))).flat())].sort();
  const report: ScanReport = { scanned: 0, findings: [], unreadable: [] };
  const found = (findings: Finding[]) => {
    for (const finding of findings) {
      report.findings.push(finding);
      options.onFinding(finding);
    }
  };
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++]!;
      const location = `s3://${bucket}/${key}`;
      try {
        found(await scanObject(s3, bucket, key, location));
      } catch (error) {
        report.unreadable.push(`${location}: ${(error as Error).message}`);
      }
      report.scanned += 1;
      options.onProgress(report.scanned, keys.length);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return report;
}

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) keys.push(object.Key!);
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

/** Parquet files are Spark's, and so are their names; the Delta log is Delta's own text throughout. */
const isDeltaLog = (key: string) => key.includes('/_delta_log/') || key.startsWith('_delta_log/');

async function scanObject(s3: S3Client, bucket: string, key: string, location: string): Promise<Finding[]> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const sparkNamed = key.endsWith('.parquet') || isDeltaLog(key);
  const findings = [...findingsInText(key, `${location} (its key)`, { sparkIds: sparkNamed }), ...metadataFindings(object, location)];
  if (key.endsWith('.parquet')) findings.push(...(await parquetFindings(await object.Body!.transformToByteArray(), location)));
  else findings.push(...(await textFindings(object.Body as Readable, location, { sparkIds: isDeltaLog(key) })));
  return findings;
}

function metadataFindings(object: GetObjectCommandOutput, location: string): Finding[] {
  return Object.entries(object.Metadata ?? {}).flatMap(([name, value]) => findingsInText(`${name}=${decoded(value)}`, `${location} metadata ${name}`));
}

/** Metadata values are often percent-encoded (S3 metadata is ASCII): read them as the text they stand for. */
function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export async function textFindings(body: Readable, location: string, scope: ScanScope = {}): Promise<Finding[]> {
  const findings: Finding[] = [];
  let line = 0;
  for await (const text of createInterface({ input: body, crlfDelay: Number.POSITIVE_INFINITY })) {
    line += 1;
    findings.push(...findingsInLine(text, `${location} line ${line}`, scope));
  }
  return findings;
}

export async function parquetFindings(bytes: Uint8Array, location: string): Promise<Finding[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const rows = await parquetReadObjects({ file });
  return rows.flatMap((row, index) =>
    Object.entries(row).flatMap(([column, value]) => [
      ...findingsInText(column, `${location} column name ${column}`),
      ...findingsInValue(value, `${location} row ${index} column ${column}`),
    ]),
  );
}
