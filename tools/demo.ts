import { parseArgs } from 'node:util';
import { stackSettings } from '../local-stack/stack.config.ts';
import { isStackUp, launchRuntime, localToken, type RuntimeProcess, runScript, type StreamEngine, startStack } from './pipeline/local-services.ts';
import { type GoldSummary, goldSummary, type Reconciliation, reconcile } from './pipeline/reconcile.ts';
import { type AcceptedRecord, sendRecords } from './pipeline/send-records.ts';
import { LakeWatcher, waitUntilSettled } from './pipeline/settle.ts';
import { generateSample } from './sample-data/generate-sample.ts';

const usage = `Usage: npm run demo [-- --records <n>] [--seed <n>] [--stream kafka|kinesis] [--keep-running]

Installs what is missing, starts the local stack and the Docker-free runtime, sends a
realistic sample of transactions, policies and claims (some invalid, some duplicated,
some late or deleted) through the ingest API, waits until the curated tables have
settled, and prints where every accepted record went. Stops what it started unless
--keep-running is given. --stream kinesis runs the pipeline over Kinesis Data Streams
(the local kinesalite of the stack) instead of Kafka.`;

/** Share of the sample per source. */
const mix = { transactions: 0.5, policies: 0.25, claims: 0.25 } as const;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '3000' },
      seed: { type: 'string', default: '2026' },
      stream: { type: 'string', default: 'kafka' },
      'keep-running': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void console.log(usage);
  const total = Number(values.records);
  if (!Number.isInteger(total) || total < 10) throw new Error('--records must be a whole number of at least 10');
  if (values.stream !== 'kafka' && values.stream !== 'kinesis') throw new Error('--stream must be kafka or kinesis');
  const stream: StreamEngine = values.stream;
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error('--seed must be a whole number');
  // Business keys of this run only: a second demo on the same lake then adds entities
  // instead of re-sending versions the curated tables already hold.
  const keyPrefix = `D${Date.now().toString(36)}-`;

  const started = Date.now();
  const keepRunning = values['keep-running'] === true;
  // Decided before anything starts: a stack that was up stays up; one the demo starts (even halfway) is stopped.
  const stackWasUp = isStackUp();
  let runtime: RuntimeProcess | undefined;
  let stopping: Promise<void> | undefined;
  const stopWhatWasStarted = () => {
    stopping ??= (async () => {
      await runtime?.stop();
      if (!stackWasUp) {
        heading('stopping the local stack (it was not running before the demo)');
        runScript('stack:down');
      }
    })();
    return stopping;
  };
  // `on`, not `once`: a second Ctrl-C must not kill the demo halfway through stopping.
  const stopOnSignal = () => void stopWhatWasStarted().finally(() => process.exit(130));
  if (!keepRunning) {
    process.on('SIGINT', stopOnSignal);
    process.on('SIGTERM', stopOnSignal);
  }
  try {
    heading('1/5 local stack (Kafka, Kinesis, MinIO, Spark job service)');
    if (stackWasUp) console.log('already up: it stays up after the demo');
    else startStack();

    heading(`2/5 Docker-free runtime (API, invoke endpoint, ${stream === 'kinesis' ? 'Kinesis' : 'Kafka'} and S3 bridges)`);
    runtime = await launchRuntime({ stream });
    await runtime.ready();
    console.log(`API on ${runtime.apiUrl}, logs in ${runtime.logFile}`);

    heading(`3/5 sending records through the ingest API (business keys of this run start with ${keyPrefix})`);
    const watcher = new LakeWatcher();
    await watcher.snapshot();
    const token = localToken();
    const accepted: AcceptedRecord[] = [];
    let refused = 0;
    for (const [source, share] of Object.entries(mix)) {
      const records = generateSample({ source, count: Math.round(total * share), seed, keyPrefix }).map((entry) => entry.record);
      const result = await sendRecords({
        apiUrl: runtime.apiUrl,
        token,
        source,
        records,
        onProgress: (sent) => progress(`${source}: ${sent}/${records.length} sent`),
      });
      accepted.push(...result.accepted);
      refused += result.refused.reduce((sum, r) => sum + r.records, 0);
      progressDone(`${source}: ${result.accepted.length} accepted (202) in ${result.requests} requests${result.refused.length ? `, ${result.refused.length} requests refused` : ''}`);
    }

    heading('4/5 waiting for validation, landing and the Spark merges to settle');
    const sentAt = Date.now();
    await waitUntilSettled(watcher, accepted.length, {
      timeoutMs: 10 * 60_000,
      onProgress: (p) =>
        progress(`${p.validated}/${accepted.length} validated into the lake, ${p.submittedObjects}/${p.landingObjects} landing objects submitted for merge, merges ${p.mergesIdle ? 'idle' : 'running'} (${Math.round((Date.now() - sentAt) / 1000)} s)`),
    });
    progressDone(`settled ${Math.round((Date.now() - sentAt) / 1000)} s after the last 202`);

    heading('5/5 reconciliation (from the raw, quarantine and curated Delta tables)');
    const result = await reconcile(accepted);
    printReconciliation(result, refused);
    printGoldSummary(await goldSummary());
    console.log(`\ndemo finished in ${Math.round((Date.now() - started) / 1000)} s`);
    printNextSteps(keepRunning || stackWasUp);
    if (keepRunning) console.log(`  the Docker-free runtime keeps running as pid ${runtime.pid}: kill ${runtime.pid} to stop it`);
    if (result.totals.lost !== 0 || result.totals.inBoth !== 0) process.exitCode = 1;
  } finally {
    if (!keepRunning) await stopWhatWasStarted();
  }
}

function printReconciliation(result: Reconciliation, refused: number): void {
  const rows = [...result.sources, { ...result.totals, source: 'total' }];
  const columns = ['source', 'accepted', 'quarantined', 'curated', 'superseded', 'deletesApplied', 'lost', 'curatedRows'] as const;
  const titles = ['source', 'accepted', 'quarantined', 'curated', 'superseded', 'deletes', 'lost', 'table rows'];
  const width = (index: number) => (index === 0 ? 14 : 13);
  console.log(titles.map((title, i) => title.padStart(width(i))).join(''));
  for (const row of rows) console.log(columns.map((c, i) => String(row[c]).padStart(width(i))).join(''));
  console.log(`\naccepted = quarantined + curated (current version of its key) + superseded (a newer version won)`);
  console.log(`           + deletes (applied) + lost; lost = ${result.totals.lost}. "table rows" counts every live row of the curated tables.`);
  if (refused > 0) console.log(`records in refused requests (never accepted, the producer was told): ${refused}`);
  console.log('\nquarantined, by reason:');
  for (const source of result.sources) {
    for (const [reason, count] of Object.entries(source.quarantineReasons)) console.log(`  ${source.source.padEnd(13)} ${String(count).padStart(5)}  ${reason}`);
  }
  const f = result.totals.freshnessSeconds;
  if (f.samples === 0) console.log('\nfreshness (202 -> row visible in the curated table): no row of this run is current in a curated table');
  else console.log(`\nfreshness (202 -> row visible in the curated table): p50 ${f.p50?.toFixed(1)} s, p95 ${f.p95?.toFixed(1)} s over ${f.samples} rows`);
}

function printGoldSummary(gold: GoldSummary): void {
  console.log('\ngold tables (curated tables joined with the PostgreSQL reference data; npm run lake:gold):');
  const daily = gold.transactionsDaily;
  if (daily) {
    console.log(`  gold.transactions_daily   ${daily.transactions} transactions over ${daily.days} days: ${daily.volume} ${daily.reportingCurrency}; ${daily.transactionsWithoutRate} without an FX rate (flagged, not dropped)`);
  }
  if (gold.claimsByProduct) {
    const products = gold.claimsByProduct.map((row) => `${row.product ?? 'unknown policy'} ${row.claims}`).join(', ');
    console.log(`  gold.claims_by_product    claims per product: ${products}`);
  }
  const history = gold.policiesHistory;
  if (history) console.log(`  gold.policies_history     ${history.versions} versions of ${history.policies} policies, ${history.current} current`);
}

function printNextSteps(stackRunning: boolean): void {
  console.log(`
where to look next${stackRunning ? '' : ' (after `npm run stack:up`)'}:
  npm run lake:query -- "SELECT status, count(*) FROM curated.claims GROUP BY status"
  npm run lake:query -- "SELECT reason_text, payload FROM quarantine.transactions LIMIT 5"
  npm run lake:history -- curated.transactions
  npm run lake:query -- "SELECT * FROM gold.claims_by_product"
  npm run lake:query -- "SELECT * FROM ref.fx_rates WHERE base_currency = 'USD' LIMIT 5"
  MinIO console: http://127.0.0.1:${stackSettings.minioConsolePort} (user ${stackSettings.credentials.accessKeyId})
  API docs: http://127.0.0.1:3000/docs (npm run local:api)`);
}

function heading(text: string): void {
  console.log(`\n== ${text}`);
}

const interactive = process.stdout.isTTY;
let lastProgress = 0;
function progress(text: string): void {
  if (interactive) process.stdout.write(`\r\x1b[K${text}`);
  else if (Date.now() - lastProgress > 5000) {
    lastProgress = Date.now();
    console.log(text);
  }
}
function progressDone(text: string): void {
  if (interactive) process.stdout.write('\r\x1b[K');
  console.log(text);
}

main().catch((error: Error) => {
  console.error(`\ndemo failed: ${error.message}`);
  process.exit(1);
});
