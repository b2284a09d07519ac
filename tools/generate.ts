import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { sourceNames } from '#contracts/registry.ts';
import { expectedOutcome, generateSample } from './sample-data/generate-sample.ts';

const usage = `Usage: npm run generate -- --source <${sourceNames().join('|')}> --count <n> --out <file.ndjson> [--seed <n>]
       [--invalid-rate 0.05] [--update-rate 0.1] [--late-rate 0.03] [--delete-rate 0.02] [--duplicate-rate 0.02]

Writes realistic sample records (NDJSON) for one source: new entities, updates, late
out-of-order versions, deletes, duplicates and invalid records. The same seed gives the
same file. The expected outcome (quarantined records, curated rows) goes to stderr.`;

function main(): void {
  const { values } = parseArgs({
    options: {
      source: { type: 'string' },
      count: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string', default: '42' },
      'invalid-rate': { type: 'string' },
      'update-rate': { type: 'string' },
      'late-rate': { type: 'string' },
      'delete-rate': { type: 'string' },
      'duplicate-rate': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void console.log(usage);
  const count = Number(values.count);
  if (!values.source || !sourceNames().includes(values.source)) fail(`--source must be one of ${sourceNames().join(', ')}`);
  if (!Number.isInteger(count) || count < 1) fail('--count must be a positive whole number');
  if (!values.out) fail('--out is required');
  const rate = (name: keyof typeof values) => {
    const value = values[name];
    if (value === undefined) return undefined;
    const number = Number(value);
    if (!(number >= 0 && number <= 1)) fail(`--${name} must be between 0 and 1`);
    return number;
  };

  const sample = generateSample({
    source: values.source!,
    count,
    seed: Number(values.seed),
    invalidRate: rate('invalid-rate'),
    updateRate: rate('update-rate'),
    lateRate: rate('late-rate'),
    deleteRate: rate('delete-rate'),
    duplicateRate: rate('duplicate-rate'),
  });
  const out = createWriteStream(values.out!);
  for (const { record } of sample) out.write(`${JSON.stringify(record)}\n`);
  out.end(() => console.error(`wrote ${sample.length} ${values.source} records to ${values.out}; expected: ${JSON.stringify(expectedOutcome(values.source!, sample))}`));
}

function fail(message: string): never {
  console.error(`error: ${message}\n\n${usage}`);
  process.exit(2);
}

main();
