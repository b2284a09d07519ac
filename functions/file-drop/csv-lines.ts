/**
 * RFC 4180 records from a stream of text chunks: fields separated by commas, quoted
 * fields may hold commas, doubled quotes and line breaks. Yields each record's fields
 * with the line number it started on; a quote left open at the end is reported.
 */
export async function* csvRecords(chunks: AsyncIterable<string>): AsyncIterable<{ line: number; fields: string[]; error?: string }> {
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let quoteSeen = false;
  let afterQuote = false;
  let line = 1;
  let recordLine = 1;
  let pending = false;

  for await (const chunk of chunks) {
    for (const char of chunk) {
      pending = true;
      if (quoted) {
        // A quote inside a quoted field either doubles (a literal quote) or closes it;
        // which one is known only at the next character, maybe in the next chunk.
        if (quoteSeen) {
          quoteSeen = false;
          if (char === '"') {
            field += '"';
            continue;
          }
          quoted = false;
          afterQuote = true;
        } else if (char === '"') {
          quoteSeen = true;
          continue;
        } else {
          if (char === '\n') line += 1;
          field += char;
          continue;
        }
      }
      if (char === '"' && field === '' && !afterQuote) {
        quoted = true;
      } else if (char === ',') {
        fields.push(field);
        field = '';
        afterQuote = false;
      } else if (char === '\n') {
        fields.push(field.endsWith('\r') ? field.slice(0, -1) : field);
        yield { line: recordLine, fields };
        fields = [];
        field = '';
        afterQuote = false;
        pending = false;
        line += 1;
        recordLine = line;
      } else {
        field += char;
      }
    }
  }
  if (quoteSeen) quoted = false;
  if (quoted) yield { line: recordLine, fields: [...fields, field], error: 'a quoted field is not closed' };
  else if (pending) yield { line: recordLine, fields: [...fields, field.endsWith('\r') ? field.slice(0, -1) : field] };
}
