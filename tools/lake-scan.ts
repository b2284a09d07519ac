import { parseArgs } from 'node:util';
import { stackSettings } from '../local-stack/stack.config.ts';
import { type Finding, formatFinding } from './lake-scan/findings.ts';
import { type ScanReport, scanBucket } from './lake-scan/scan-bucket.ts';
import { scanTopics } from './lake-scan/scan-topics.ts';
import { lakeClient } from './pipeline/settle.ts';

const usage = `Usage: npm run lake:scan -- [--prefix <key prefix>]... [--topic <topic>]... [--no-lake] [--no-topics] [--quiet]

Audit: looks for clear card numbers (the platform's one detector, layers/contracts/card-data.ts)
in the lake bucket and in the ingest topics, and prints each finding with where it is and
the number masked.

  lake bucket   every object under the prefixes (default: the whole bucket "${stackSettings.lakeBucket}"):
                its key, its metadata, and its content: Parquet files (the Delta tables'
                data files) row by row and column by column, every other object (NDJSON,
                JSON, the Delta log, dropped files, reports) line by line
  topics        every message (key, value, headers) from the first offset to the end,
                read by a consumer group of its own that commits nothing
                (default: ${stackSettings.sourceTopics.join(', ')})

Exit status: 0 no finding, 1 at least one finding, 2 bad arguments, a service that
cannot be reached, or something that could not be read (the scan is incomplete).`;

interface ScanOptions {
  prefixes: string[];
  topics: string[];
  quiet: boolean;
}

function readOptions(argv: string[]): ScanOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      prefix: { type: 'string', multiple: true },
      topic: { type: 'string', multiple: true },
      'no-lake': { type: 'boolean', default: false },
      'no-topics': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  return {
    prefixes: values['no-lake'] ? [] : (values.prefix ?? ['']),
    topics: values['no-topics'] ? [] : (values.topic ?? stackSettings.sourceTopics),
    quiet: values.quiet,
  };
}

/** Progress on stderr at most every two seconds, so findings on stdout stay readable. */
function progress(what: string, quiet: boolean) {
  let last = 0;
  return (scanned: number, total: number) => {
    if (quiet || (Date.now() - last < 2000 && scanned !== total)) return;
    last = Date.now();
    process.stderr.write(`${what}: ${scanned} of ${total}\n`);
  };
}

export async function runScan(options: ScanOptions): Promise<{ lake?: ScanReport; topics?: ScanReport }> {
  const onFinding = (finding: Finding) => console.log(formatFinding(finding));
  const lake =
    options.prefixes.length > 0
      ? await scanBucket({ s3: lakeClient(), bucket: stackSettings.lakeBucket, prefixes: options.prefixes, onFinding, onProgress: progress('objects', options.quiet) })
      : undefined;
  const topics =
    options.topics.length > 0
      ? await scanTopics({ brokers: stackSettings.kafkaBrokers, topics: options.topics, onFinding, onProgress: progress('messages', options.quiet) })
      : undefined;
  return { lake, topics };
}

async function main(): Promise<number> {
  let options: ScanOptions;
  try {
    options = readOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  const { lake, topics } = await runScan(options);
  const unreadable = [...(lake?.unreadable ?? []), ...(topics?.unreadable ?? [])];
  for (const problem of unreadable) console.error(`not scanned: ${problem}`);
  const findings = (lake?.findings.length ?? 0) + (topics?.findings.length ?? 0);
  const scanned = [lake && `${lake.scanned} objects under ${options.prefixes.map((p) => `"${p}"`).join(', ')}`, topics && `${topics.scanned} messages of ${options.topics.join(', ')}`];
  console.log(`${findings} clear card numbers in ${scanned.filter(Boolean).join(' and ')}${unreadable.length > 0 ? `; ${unreadable.length} not scanned` : ''}`);
  if (findings > 0) return 1;
  return unreadable.length > 0 ? 2 : 0;
}

main().then(
  (status) => process.exit(status),
  (error: Error) => {
    console.error(`lake:scan failed: ${error.message}`);
    process.exit(2);
  },
);
