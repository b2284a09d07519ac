import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBase64 } from '../../functions/validate/kafka-event.ts';
import { localRuntimeOptions } from '../lib/local-runtime.ts';
import { benchmark } from '../lib/report.ts';
import { averageValueBytes, ingestMessages, mskEvent, transactionRecords } from '../lib/sample.ts';
import { minioService, requireServices, runCommand } from '../lib/services.ts';
import type { Stage } from '../lib/stage.ts';
import { median, perSecond } from '../lib/stats.ts';
import { alternate } from '../lib/timing.ts';

/** The REPORT line `local:invoke` prints, as Lambda does: `REPORT RequestId: … Duration: 123.45 ms …`. */
export function parseReportDuration(stderr: string): number | undefined {
  const match = /REPORT RequestId:.*?\tDuration: ([\d.]+) ms/.exec(stderr) ?? /REPORT .*Duration: ([\d.]+) ms/.exec(stderr);
  return match ? Number(match[1]) : undefined;
}

/** Invokes ValidateFunction once to warm an instance, then `invokes` times more; the median Duration of those. */
async function warmInvokes(event: unknown, count: number, invokes: number): Promise<{ durationMs: number; invokes: number }> {
  const { FunctionRegistry } = await import('@ledgerflow/lambda-runtime');
  const registry = await FunctionRegistry.create({ ...localRuntimeOptions, maxInstances: 1, onLog: () => {}, onNotice: () => {} });
  try {
    const durations: number[] = [];
    for (let run = 0; run <= invokes; run++) {
      const outcome = await registry.invoke('ValidateFunction', event);
      if (!outcome.ok) throw new Error(`ValidateFunction failed: ${JSON.stringify(outcome.error).slice(0, 300)}`);
      const { valid, invalid } = outcome.result as { valid: number; invalid: number };
      if (valid + invalid !== count) throw new Error(`ValidateFunction answered ${JSON.stringify(outcome.result)}; expected valid + invalid = ${count}`);
      if (run > 0) durations.push(outcome.durationMs);
    }
    return { durationMs: median(durations), invokes };
  } finally {
    await registry.stop();
  }
}

/**
 * A full-size Kafka batch (about 6 MB of event, Lambda's payload limit) through the
 * Docker-free `npm run local:invoke -- ValidateFunction <event.json>`: the handler's
 * Duration (event schema, validation, landing and quarantine writes to MinIO) against
 * base64-decode + JSON.parse of the same batch in this process.
 */
export const validateInvokeStage: Stage = {
  name: 'validate-invoke',
  needs: 'MinIO (npm run stack:up) and the Docker-free runtime (local:invoke)',
  async run({ sizes, repoRoot, log }) {
    await requireServices('validate-invoke', [minioService()]);
    // Size the batch from a sample of the same records: the event's JSON is what counts against 6 MB.
    const probe = JSON.stringify(mskEvent(ingestMessages(transactionRecords({ count: 200, recordBytes: sizes.recordBytes, mix: 'mixed' }))));
    const count = Math.max(10, Math.floor((sizes.invokeEventBytes / probe.length) * 200 * 0.98));
    const messages = ingestMessages(transactionRecords({ count, recordBytes: sizes.recordBytes, mix: 'mixed', seed: 7 }));
    // Offsets far from the pipeline's own, so the landing keys cannot collide with real batches.
    const event = mskEvent(messages, 3, 9_000_000_000);
    const text = JSON.stringify(event);
    const records = Object.values(event.records).flat();
    const work = mkdtempSync(join(tmpdir(), 'ledgerflow-validate-invoke-'));
    try {
      const eventPath = join(work, 'event.json');
      writeFileSync(eventPath, text);
      log(`invoking ValidateFunction with ${count} records, ${(text.length / 1024 / 1024).toFixed(2)} MB of event`);
      const durations: number[] = [];
      const walls: number[] = [];
      let result: unknown;
      const invokes = Math.min(sizes.runs, 3);
      for (let run = 0; run < invokes; run++) {
        const outcome = await runCommand('npm', ['run', '--silent', 'local:invoke', '--', 'ValidateFunction', eventPath], { cwd: repoRoot, timeoutMs: 300_000 });
        if (outcome.code !== 0) {
          throw new Error(`local:invoke ValidateFunction exited with ${outcome.code}: ${(outcome.stdout + outcome.stderr).trim().split('\n').slice(-6).join(' | ')}`);
        }
        const duration = parseReportDuration(outcome.stderr);
        if (duration === undefined) throw new Error(`local:invoke printed no REPORT line with a Duration: ${outcome.stderr.trim().split('\n').slice(-3).join(' | ')}`);
        durations.push(duration);
        walls.push(outcome.elapsedMs);
        result = JSON.parse(outcome.stdout.trim().split('\n').at(-1)!);
      }
      const { valid, invalid } = result as { valid?: number; invalid?: number };
      if (valid === undefined || invalid === undefined || valid + invalid !== count) {
        throw new Error(`ValidateFunction answered ${JSON.stringify(result)}; expected valid + invalid = ${count}`);
      }
      log('the same event through a warm instance (FunctionRegistry of the runtime)');
      const warm = await warmInvokes(event, count, Math.max(1, Math.min(sizes.runs, 5)));
      let checksum = 0;
      const decode = await alternate(
        {
          decodeOnly() {
            for (const record of records) checksum += (JSON.parse(decodeBase64(record.value)!) as object) ? 1 : 0;
          },
        },
        { runs: Math.max(3, sizes.runs), warmup: 1 },
      );
      log(`checksum ${checksum}`);
      const duration = median(durations);
      return [
        benchmark('validate-6mb-invoke', perSecond(count, duration), 'records/s', perSecond(count, decode.medians.wall.decodeOnly!), {
          records: count,
          eventBytes: text.length,
          recordBytes: averageValueBytes(messages),
          valid,
          invalid,
          durationMs: Number(duration.toFixed(1)),
          commandWallMs: Math.round(median(walls)),
          invokes,
          statistic: 'median',
          clock: 'wall (handler Duration from the REPORT line; baseline in this process)',
          measures: 'one invocation in a fresh instance, as local:invoke does: Duration includes the instance start',
          baselineIs: 'base64-decode + JSON.parse of each value',
        }),
        benchmark('validate-6mb-invoke-warm', perSecond(count, warm.durationMs), 'records/s', perSecond(count, decode.medians.wall.decodeOnly!), {
          records: count,
          eventBytes: text.length,
          durationMs: Number(warm.durationMs.toFixed(1)),
          invokes: warm.invokes,
          statistic: 'median',
          measures: 'invocations after the first, in the same instance: no process start, module load or first connection',
          baselineIs: 'base64-decode + JSON.parse of each value',
        }),
      ];
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};
