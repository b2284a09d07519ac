import { describe, expect, it } from 'vitest';
import { csvRecords } from '../../../functions/file-drop/csv-lines.ts';

async function parse(...chunks: string[]) {
  const records = [];
  for await (const record of csvRecords((async function* () {
    yield* chunks;
  })())) records.push(record);
  return records;
}

describe('CSV records', () => {
  it('splits fields on commas and records on line breaks, CRLF included', async () => {
    expect(await parse('a,b\r\n1,2\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
    ]);
  });

  it('keeps commas, doubled quotes and line breaks inside quoted fields', async () => {
    expect(await parse('"fire, kitchen","say ""hi""","two\nlines",x\nnext\n')).toEqual([
      { line: 1, fields: ['fire, kitchen', 'say "hi"', 'two\nlines', 'x'] },
      { line: 3, fields: ['next'] },
    ]);
  });

  it('reads records split across chunks at any point', async () => {
    const text = 'id,name\n1,"Caf""e, Central"\n2,plain\n';
    const whole = await parse(text);
    for (let cut = 1; cut < text.length; cut++) expect(await parse(text.slice(0, cut), text.slice(cut))).toEqual(whole);
  });

  it('reads a last record without a final line break', async () => {
    expect(await parse('a,b\n1,2')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
    ]);
  });

  it('reports a quoted field that is never closed', async () => {
    expect(await parse('a,b\n1,"open\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', 'open\n'], error: 'a quoted field is not closed' },
    ]);
  });
});
