import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { createRecordProducer } from '#lib/kafka.ts';
import { stackSettings } from '../local-stack/stack.config.ts';
import { lakeClient } from './pipeline/settle.ts';
import { reinvoke } from './replay/dead-letters.ts';
import { replayDeadLetters, replayQuarantine } from './replay/run-replay.ts';

const settings = z.object({
  /** The Lambda Invoke API of the Docker-free runtime (`npm run local:start`). */
  LAMBDA_INVOKE_ENDPOINT: z.url().default('http://127.0.0.1:3001'),
}).parse(process.env);

const usage = `Usage:
  npm run replay -- dead-letters [--function <name>] [--since <time>] [--until <time>] [--dry-run]
  npm run replay -- quarantine --source <source> [--reason <text>] [--event-id <id>]... [--since <time>] [--until <time>] [--patch <file.json>] [--dry-run]

Re-drives what failed, after a fix, through the normal path, idempotently.

  dead-letters  asynchronous invocations that failed every retry (merge trigger, file drop):
                the invocation records under aws/lambda/async/ in the lake bucket
                "${stackSettings.lakeBucket}", and stream batches validation gave up on
                (aws/lambda/<mapping UUID>/). Each is invoked again with its event through the
                runtime's Invoke API (${settings.LAMBDA_INVOKE_ENDPOINT}, LAMBDA_INVOKE_ENDPOINT;
                run \`npm run local:start\`); a record whose invocation succeeds is deleted, one
                that fails again stays. --function matches part of the function name;
                --since/--until the time of the failure.
  quarantine    quarantined records of one source, selected by a reason (substring of a
                reason's field path or message), event ids and the time ingest received them.
                Each is published again to the source's topic with its original event id,
                batch id and receive time, so validation, landing and the merge treat it as
                the same record (the curated table keeps one row per event). --patch applies
                a JSON merge patch (RFC 7396) to every selected record first. A record is
                replayed once per quarantine: reports/replays/<source>/<eventId>.json notes
                it; if it is quarantined again, the new occurrence can be replayed. Records
                quarantined for card data are skipped: the clear value was never stored.

  --since/--until  RFC 3339 times (until is exclusive)
  --dry-run        print what would be replayed, change nothing

Exit status: 0 all selected were replayed or skipped with a reason, 1 a dead letter failed
again, 2 bad arguments or a service that cannot be reached.`;

const time = (value: string | undefined, name: string): Date | undefined => {
  if (value === undefined) return undefined;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new Error(`--${name} ${value} is not a time`);
  return parsed;
};

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      source: { type: 'string' },
      reason: { type: 'string' },
      'event-id': { type: 'string', multiple: true },
      function: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      patch: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const lake = { s3: lakeClient(), bucket: stackSettings.lakeBucket };
  const output = { log: (line: string) => console.log(line), dryRun: values['dry-run'] };
  const since = time(values.since, 'since');
  const until = time(values.until, 'until');
  switch (positionals[0]) {
    case 'dead-letters': {
      const summary = await replayDeadLetters(lake, { functionName: values.function, since, until }, { ...output, reinvoke: (letter) => reinvoke(settings.LAMBDA_INVOKE_ENDPOINT, letter) });
      console.log(`dead letters: ${summary.selected} selected, ${summary.replayed} replayed, ${summary.failed.length} failed again${output.dryRun ? ' (dry run)' : ''}`);
      return summary.failed.length > 0 ? 1 : 0;
    }
    case 'quarantine': {
      if (!values.source) throw new Error('quarantine needs --source');
      const patch = values.patch ? (JSON.parse(readFileSync(values.patch, 'utf8')) as Record<string, unknown>) : undefined;
      if (patch !== undefined && (patch === null || typeof patch !== 'object' || Array.isArray(patch))) throw new Error('--patch must hold a JSON object');
      const producer = createRecordProducer({ clientId: 'ledgerflow-replay', brokers: stackSettings.kafkaBrokers });
      try {
        const summary = await replayQuarantine(lake, { source: values.source, reason: values.reason, eventIds: values['event-id'], since, until }, {
          ...output,
          patch,
          topicPrefix: stackSettings.topicPrefix,
          publish: async (messages) => void (await producer.send({ messages })),
        });
        console.log(`quarantine ${values.source}: ${summary.selected} selected, ${summary.replayed} replayed, ${summary.skipped.length} skipped${output.dryRun ? ' (dry run)' : ''}`);
        return 0;
      } finally {
        await producer.close();
      }
    }
    default:
      throw new Error(`say what to replay: dead-letters or quarantine (got ${positionals[0] ?? 'nothing'})`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`replay: ${error.message}\n\n${usage}`);
    process.exit(2);
  },
);
