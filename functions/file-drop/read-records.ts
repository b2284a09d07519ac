import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { maskCardNumbers } from '#contracts/card-data.ts';

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

/** Line breaks in a text: CRLF, a bare CR (classic Mac exports) and LF each count one. */
const lineBreaks = (text: string) => text.match(/\r\n|\r|\n/g)?.length ?? 0;

/** A text without the record delimiter at its end. */
const withoutDelimiter = (text: string) => text.replace(/(\r\n|\r|\n)$/, '');

/** The first line of PowerShell's Export-Csv without -NoTypeInformation; Import-Csv skips it too. */
const powershellTypeLine = /^#TYPE /;

interface CsvRow {
  /** The line the row starts on. */
  line: number;
  fields: string[];
  error?: string;
}

/**
 * The rows of a CSV file as csv-parse reads them (RFC 4180 with what exporters add: a
 * byte-order mark, CRLF, LF or bare-CR line breaks, quoted headers, line breaks inside
 * quoted fields). A row the parser cannot read comes back with its error, and reading
 * goes on. Line numbers are counted here: csv-parse reports the line a row ends on and
 * counts a CRLF inside a quoted field as two lines.
 */
async function* csvRows(body: Readable): AsyncIterable<CsvRow> {
  // Loaded with the first CSV file (a chunk of the bundle): a cold start does not pay for it.
  const { parse } = await import('csv-parse');
  // Errors come through a callback while rows queue in the stream: each is placed
  // before the row the parser emitted after it, so rows and errors stay in file order.
  const errors: { before: number; raw: string; error: string }[] = [];
  const parser = body.pipe(
    parse({
      bom: true,
      // Any of the three, even mixed in one file (rows appended by another tool).
      record_delimiter: ['\r\n', '\n', '\r'],
      raw: true,
      info: true,
      relax_column_count: true,
      skip_records_with_error: true,
      on_skip: (error, raw) => {
        const last = errors.at(-1);
        // The name of the error ("Quote Not Closed"), not its text, which counts lines its own way and quotes the value.
        const entry = { before: parser.info.records, raw: raw ?? '', error: (error?.message.split(':')[0] ?? 'unreadable').toLowerCase() };
        // A second error inside the same row (the parser carried on) replaces the first.
        if (last && last.before === entry.before && entry.raw.startsWith(last.raw)) errors[errors.length - 1] = { ...entry, error: last.error };
        else errors.push(entry);
      },
    }),
  );
  let line = 1;
  let emitted = 0;
  function* errorsBefore(row: number): Iterable<CsvRow> {
    while (errors.length > 0 && errors[0]!.before < row) {
      const { raw, error } = errors.shift()!;
      yield { line, fields: [withoutDelimiter(raw)], error };
      line += lineBreaks(withoutDelimiter(raw)) + 1;
    }
  }
  for await (const { record } of parser as AsyncIterable<{ record: string[] }>) {
    emitted += 1;
    yield* errorsBefore(emitted);
    yield { line, fields: record };
    line += record.reduce((breaks, field) => breaks + lineBreaks(field), 0) + 1;
  }
  yield* errorsBefore(Number.POSITIVE_INFINITY);
}

/**
 * CSV with a header row naming the contract's fields. Empty cells are absent fields;
 * every value stays a string, which is what the contracts expect of money and dates.
 */
async function* readCsv(body: Readable): AsyncIterable<FileLine> {
  let header: string[] | undefined;
  for await (const { line, fields, error } of csvRows(body)) {
    const text = fields.join(',');
    if (error) {
      yield { line, error: maskCardNumbers(`line is not valid CSV: ${error}`), text };
      continue;
    }
    if (fields.length === 1 && fields[0]!.trim() === '') continue;
    if (!header) {
      if (!powershellTypeLine.test(fields[0]!)) header = fields.map((name) => name.trim());
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
