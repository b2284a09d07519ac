import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { findingsInLine, findingsInText, findingsInValue, formatFinding } from '../../../tools/lake-scan/findings.ts';
import { parquetFindings, textFindings } from '../../../tools/lake-scan/scan-bucket.ts';

const at = 's3://lake/landing/x.ndjson line 3';

describe('lake:scan findings', () => {
  it('names the field of a JSON line that holds a card number, masked', () => {
    const line = JSON.stringify({ eventId: 'e-1', record: { note: 'card 4111-1111-1111-1111', cardMasked: '411111******1111' } });
    expect(findingsInLine(line, at).map(formatFinding)).toEqual([`${at} field record.note: Visa 411111******1111`]);
  });

  it('finds card numbers in field names, in long JSON numbers and inside arrays', () => {
    const line = '{"5555555555554444":"x","n":6011111111111117,"list":["a","3782 822463 10005"]}';
    expect(findingsInLine(line, at).map((finding) => [finding.location, finding.brand])).toEqual([
      [`${at} field name 555555******4444`, 'Mastercard'],
      [`${at} field n`, 'Discover'],
      [`${at} field list.1`, 'American Express'],
    ]);
  });

  it('reads a line that is not JSON as text', () => {
    expect(findingsInLine('TX-1,4012888888881881,12.00', at)).toEqual([{ location: at, brand: 'Visa', masked: '401288******1881' }]);
  });

  it('leaves near misses alone: ids, timestamps, epoch milliseconds, amounts, masked numbers', () => {
    const line = JSON.stringify({
      eventId: '9b2f0c51-7a7c-8d4e-9f6b-1c2d3e4f5a6b',
      receivedAt: '2026-03-01T12:00:00.123Z',
      epoch: 1772366400000,
      amount: '4111111111.11',
      cardMasked: '411111******1111',
      compact: '20260301120000',
    });
    expect(findingsInLine(line, at)).toEqual([]);
    expect(findingsInValue({ big: 12345678901234567890n, when: new Date() }, at)).toEqual([]);
  });

  it('masks a card number in the location itself (a key or field name)', () => {
    const [finding] = findingsInLine('{"a":"4111111111111111"}', 's3://lake/files/card 4111111111111111.csv line 1');
    expect(formatFinding(finding!)).not.toContain('4111111111111111');
  });

  it('numbers the lines of a text object, CRLF or LF', async () => {
    const body = Readable.from(['id,pan\r\n1,none\r\n2,5555 5555 5555 4444\n3,x\n']);
    expect((await textFindings(body, 's3://lake/files/x.csv')).map((finding) => finding.location)).toEqual(['s3://lake/files/x.csv line 3']);
  });

  it('reads a Parquet file (snappy, as Spark writes) by row and column: strings, structs, lists, int64 and binary', async () => {
    const bytes = readFileSync(new URL('../../fixtures/parquet/card-numbers.snappy.parquet', import.meta.url));
    const findings = await parquetFindings(bytes, 'tables/raw/x/part-0.parquet');
    expect(findings.map(formatFinding).sort()).toEqual(
      [
        'tables/raw/x/part-0.parquet row 0 column note: Visa 411111******1111',
        'tables/raw/x/part-0.parquet row 0 column account_number: Mastercard 555555******4444',
        'tables/raw/x/part-0.parquet row 1 column extra field ref: Discover 601111******1117',
        'tables/raw/x/part-0.parquet row 2 column tags field 0: American Express 378282*****0005',
        'tables/raw/x/part-0.parquet row 2 column raw_bytes: Visa 401288******1881',
      ].sort(),
    );
  });
});

describe('lake:scan in what Spark and Delta Lake name themselves', () => {
  // A real Spark file name: the UUID's groups "4796-9440-98580" read as a Luhn-valid 13-digit Visa number.
  const sparkFile = 'part-00000-1aa77f70-4b6c-4796-9440-98580eb109a7-c000.snappy.parquet';

  it('does not report a UUID of a Spark file name or a Delta log line as a card number', () => {
    expect(findingsInText(sparkFile, 'key')).toHaveLength(1);
    expect(findingsInText(sparkFile, 'key', { sparkIds: true })).toEqual([]);
    expect(findingsInLine(JSON.stringify({ add: { path: sparkFile } }), 'log line 2', { sparkIds: true })).toEqual([]);
  });

  it('still reports a card number there outside a UUID', () => {
    const line = JSON.stringify({ add: { path: sparkFile, stats: '{"minValues":{"note":"4111 1111 1111 1111"}}' } });
    expect(findingsInLine(line, 'log line 2', { sparkIds: true }).map(formatFinding)).toEqual(['log line 2 field add.stats: Visa 411111******1111']);
  });
});
