import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { maskCardNumbers } from '#contracts/card-data.ts';
import { csvRecords } from './csv-lines.ts';

export type FileFormat = 'csv' | 'ndjson';

/** One line of a dropped file: a record, or why it could not be read. */
export type FileLine = { line: number; record: Record<string, unknown> } | { line: number; error: string; text: string };

/** The format a file name announces, or undefined for one the platform does not read. */
export function fileFormat(key: string): FileFormat | undefined {
  const name = key.toLowerCase();
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) return 'ndjson';
  return undefined;
}

/**
 * Reads a file line by line without holding it in memory. A line that does not parse
 * is reported with its number and carries on; it never stops the rest of the file.
 */
export function readRecords(body: Readable, format: FileFormat): AsyncIterable<FileLine> {
  return format === 'csv' ? readCsv(body) : readNdjson(body);
}

async function* readNdjson(body: Readable): AsyncIterable<FileLine> {
  let line = 0;
  for await (const text of createInterface({ input: body, crlfDelay: Number.POSITIVE_INFINITY })) {
    line += 1;
    if (text.trim() === '') continue;
    try {
      const record: unknown = JSON.parse(text);
      if (record === null || typeof record !== 'object' || Array.isArray(record)) yield { line, error: 'line is not a JSON object', text };
      else yield { line, record: record as Record<string, unknown> };
    } catch (error) {
      // The parser quotes the line in its message: mask it like the line itself.
      yield { line, error: maskCardNumbers(`line is not valid JSON: ${(error as Error).message}`), text };
    }
  }
}

/**
 * CSV with a header row naming the contract's fields. Empty cells are absent fields;
 * every value stays a string, which is what the contracts expect of money and dates.
 */
async function* readCsv(body: Readable): AsyncIterable<FileLine> {
  body.setEncoding('utf8');
  let header: string[] | undefined;
  for await (const { line, fields, error } of csvRecords(body)) {
    const text = fields.join(',');
    if (error) {
      yield { line, error: `line is not valid CSV: ${error}`, text };
      continue;
    }
    if (fields.length === 1 && fields[0]!.trim() === '') continue;
    if (!header) {
      header = fields.map((name, index) => (index === 0 ? name.replace(/^\uFEFF/, '') : name).trim());
      continue;
    }
    if (fields.length !== header.length) {
      yield { line, error: 'line has a different number of fields than the header', text };
      continue;
    }
    const record: Record<string, unknown> = {};
    header.forEach((name, index) => {
      const value = fields[index]!.trim();
      if (value !== '') record[name] = value;
    });
    yield { line, record };
  }
}
