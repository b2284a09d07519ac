import { findCardNumbers } from '#contracts/card-data.ts';
import { findContract } from '#contracts/registry.ts';
import { isSealedCard } from '#contracts/rules/card.ts';
import { toNdjson } from '#contracts/lake.ts';
import { decodeBase64, decodeValue, kafkaEventSchema } from '../../functions/validate/kafka-event.ts';
import { validateBatch } from '../../functions/validate/validate-batch.ts';
import { benchmark } from '../lib/report.ts';
import { averageValueBytes, benchTokenKey, benchTopicPrefix, ingestMessages, mskEvent, transactionRecords } from '../lib/sample.ts';
import type { Stage } from '../lib/stage.ts';
import { perSecond } from '../lib/stats.ts';
import { alternate } from '../lib/timing.ts';

/**
 * Validation's own cost: `validateBatch` over an MSK-shaped batch of ingest's messages,
 * against the floor of any consumer of that batch (base64-decode and JSON.parse each value).
 */
export const validateStage: Stage = {
  name: 'validate',
  needs: 'nothing (pure logic)',
  async run({ sizes, log }) {
    const count = sizes.validateRecords;
    log(`building a ${count}-record MSK event of ~${sizes.recordBytes}-byte transactions`);
    const messages = ingestMessages(transactionRecords({ count, recordBytes: sizes.recordBytes, mix: 'mixed' }));
    const event = mskEvent(messages);
    const records = Object.values(event.records).flat();
    const settings = { topicPrefix: benchTopicPrefix, cardTokenKey: benchTokenKey, findContract };
    const cardFields = findContract('transactions')!.cardFields;

    let checksum = 0;
    const { medians } = await alternate(
      {
        decodeOnly() {
          for (const record of records) checksum += (JSON.parse(decodeBase64(record.value)!) as object) ? 1 : 0;
        },
        validateBatch() {
          checksum += validateBatch(event, settings).valid;
        },
        safeguardsFloor() {
          for (const record of records) checksum += safeguardsFloor(record.value, cardFields);
        },
        eventSchema() {
          checksum += Object.keys(kafkaEventSchema.parse(event).records).length;
        },
      },
      { runs: sizes.runs, warmup: 1 },
    );
    const batch = validateBatch(event, settings);
    const serialise = await alternate(
      {
        ndjson() {
          for (const object of batch.objects) checksum += toNdjson(object.lines).length;
        },
      },
      { runs: sizes.runs, warmup: 1 },
    );
    log(`checksum ${checksum}`);

    // CPU time of this process: other work on a shared machine does not count against either side.
    const rate = (name: string) => perSecond(count, medians.cpu[name]!);
    const wallRate = (name: string) => Math.round(perSecond(count, medians.wall[name]!));
    const baseline = rate('decodeOnly');
    const value = rate('validateBatch');
    const params = {
      records: count,
      recordBytes: averageValueBytes(messages),
      valid: batch.valid,
      invalid: batch.invalid,
      runs: sizes.runs,
      statistic: 'median',
      clock: 'process CPU time',
    };
    return [
      benchmark('validate', value, 'records/s', baseline, { ...params, baselineIs: 'base64-decode + JSON.parse of each value', wallClock: { value: wallRate('validateBatch'), baseline: wallRate('decodeOnly') } }, {
        text: '>= 50% of baseline',
        met: value >= 0.5 * baseline,
      }),
      benchmark('validate-safeguards-floor', rate('safeguardsFloor'), 'records/s', baseline, {
        ...params,
        measures:
          'the least any validation with these safeguards does per record: strict UTF-8 decode and JSON.parse, the seal check of each card field, one card-number search of every string and field name (no contract check, no copies, no output)',
      }),
      benchmark('validate-event-schema', rate('eventSchema'), 'records/s', baseline, {
        ...params,
        measures: "the handler's zod parse of the Kafka event (kafkaEventSchema), before validateBatch",
      }),
      benchmark('validate-ndjson', perSecond(count, serialise.medians.cpu.ndjson!), 'records/s', baseline, {
        ...params,
        measures: 'serialising the landing and quarantine objects to NDJSON',
      }),
    ];
  },
};

/** Decode, seal check and card-number search of one value, and nothing else: the floor under `validate`. */
function safeguardsFloor(value: string | null | undefined, cardFields: readonly string[]): number {
  const decoded = decodeValue(value);
  if (!decoded.ok || decoded.text === undefined) return 0;
  const record = JSON.parse(decoded.text) as Record<string, unknown>;
  let found = 0;
  for (const field of cardFields) if (record[field] !== undefined && isSealedCard(record[field], benchTokenKey)) found++;
  return found + cardNumbersIn(record);
}

function cardNumbersIn(node: unknown): number {
  if (typeof node === 'string') return findCardNumbers(node).length;
  if (node === null || typeof node !== 'object') return 0;
  let found = 0;
  for (const name of Object.keys(node)) found += findCardNumbers(name).length + cardNumbersIn((node as Record<string, unknown>)[name]);
  return found;
}
