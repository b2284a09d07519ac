import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type FileLine, readRecords } from '../../../functions/file-drop/read-records.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/csv/${name}`, import.meta.url));

/** Every line of a CSV body, fed in chunks of `chunkBytes` (cuts fall inside quotes, CRLFs and multi-byte characters). */
async function read(bytes: Buffer | string, chunkBytes = 1 << 16): Promise<FileLine[]> {
  const buffer = Buffer.from(bytes);
  const chunks = [];
  for (let at = 0; at < buffer.length; at += chunkBytes) chunks.push(buffer.subarray(at, at + chunkBytes));
  const lines = [];
  for await (const line of readRecords(Readable.from(chunks), 'csv')) lines.push(line);
  return lines;
}

const records = (lines: FileLine[]) => lines.map((line) => ('record' in line ? [line.line, line.record.claimId, line.record.lossType] : [line.line, line.error]));

describe('CSV files as exporters write them', () => {
  // Each fixture holds the same three claims: one with a comma and a line break in a cell, one with doubled quotes.
  const exports = {
    'Excel "CSV UTF-8" (byte-order mark, CRLF, LF inside a cell)': { file: 'excel-utf8.csv', breakInCell: '\n', first: 2 },
    'PowerShell Export-Csv (byte-order mark, #TYPE line, every field quoted, CRLF)': { file: 'powershell-export-csv.csv', breakInCell: '\r\n', first: 3 },
    'Excel for classic Mac OS (bare CR, no final line break)': { file: 'mac-excel-cr.csv', breakInCell: '\r', first: 2 },
    'LibreOffice Calc (quoted header, LF)': { file: 'libreoffice.csv', breakInCell: '\n', first: 2 },
  };

  for (const [exporter, { file, breakInCell, first }] of Object.entries(exports)) {
    it(`reads ${exporter} with header names free of marks and quotes, and start lines`, async () => {
      const lines = await read(fixture(file));
      expect(records(lines)).toEqual([
        [first, 'CLM-1', 'water'],
        [first + 1, 'CLM-2', `fire, kitchen${breakInCell}and hall`],
        [first + 3, 'CLM-3', 'the "big" storm'],
      ]);
      expect(Object.keys((lines[0] as { record: object }).record)).toEqual([
        'claimId', 'policyId', 'lossType', 'status', 'lossDate', 'reportedAt', 'claimedAmount', 'currency', 'updatedAt',
      ]);
    });

    it(`reads ${exporter} the same whatever the chunk boundaries`, async () => {
      const whole = await read(fixture(file));
      for (const chunkBytes of [1, 2, 3, 7]) expect(await read(fixture(file), chunkBytes)).toEqual(whole);
    });
  }

  it('keeps multi-byte characters cut between chunks', async () => {
    const lines = await read('claimId,lossType\nCLM-1,dégât des eaux – 水害\n', 1);
    expect(records(lines)).toEqual([[2, 'CLM-1', 'dégât des eaux – 水害']]);
  });

  it('skips blank lines but counts them, whatever the line breaks', async () => {
    expect(records(await read('claimId,lossType\n\nCLM-1,water\r\n\r\nCLM-2,fire\n'))).toEqual([
      [3, 'CLM-1', 'water'],
      [5, 'CLM-2', 'fire'],
    ]);
  });

  it('rejects a line with a stray quote by its line number and reads on', async () => {
    const lines = await read('claimId,lossType\nCLM-1,wa"ter\nCLM-2,"fire\nand smoke"\nCLM-3,storm\n');
    expect(records(lines)).toEqual([
      [2, 'line is not valid CSV: invalid opening quote'],
      [3, 'CLM-2', 'fire\nand smoke'],
      [5, 'CLM-3', 'storm'],
    ]);
  });

  it('rejects a quoted field left open at the end of the file with the line it starts on', async () => {
    const lines = await read('claimId,lossType\r\nCLM-1,water\r\nCLM-2,"open\r\nCLM-3,storm\r\n');
    expect(records(lines)).toEqual([
      [2, 'CLM-1', 'water'],
      [3, 'line is not valid CSV: quote not closed'],
    ]);
  });

  it('rejects a row with another number of fields than the header', async () => {
    expect(records(await read('claimId,lossType\nCLM-1\nCLM-2,fire,extra\nCLM-3,storm\n'))).toEqual([
      [2, 'line has a different number of fields than the header'],
      [3, 'line has a different number of fields than the header'],
      [4, 'CLM-3', 'storm'],
    ]);
  });

  it('names what is wrong with an unreadable line without quoting its value', async () => {
    const [line] = await read('claimId,note\nCLM-1,pan "4111 1111 1111 1111"\n');
    expect(line).toMatchObject({ line: 2, error: 'line is not valid CSV: invalid opening quote' });
  });
});
