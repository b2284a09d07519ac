import { readFileSync } from 'node:fs';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Consumer, stringDeserializers } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { sourceNames } from '#contracts/registry.ts';
import { topicForSource } from '#lib/topics.ts';
import { stackSettings } from '../../local-stack/stack.config.ts';
import { traceEvent } from '../../tools/pipeline/reconcile.ts';
import { lakeClient } from '../../tools/pipeline/settle.ts';
import { fileDropThroughLake, mixedSampleThroughApi, useLocalRuntime } from './support.ts';

// Keys unique to this run, so earlier runs against the same lake cannot change the counts.
const runId = `e2e${Date.now().toString(36)}-`;
const s3 = lakeClient();
const perSource = 400;

const local = useLocalRuntime();

describe('a mixed sample through the public API', () => {
  const run = mixedSampleThroughApi(local, { perSource, seed: 11, keyPrefix: runId });

  it('accepts every record of well-formed requests', () => {
    expect(run.accepted).toHaveLength(perSource * sourceNames().length);
    expect(new Set(run.accepted.map((record) => record.eventId)).size).toBe(run.accepted.length);
  });

  it('records why each invalid record was quarantined', () => {
    const reasons = Object.keys(run.result.sources.find((entry) => entry.source === 'claims')!.quarantineReasons);
    expect(reasons).toEqual(expect.arrayContaining(['claim reported before its loss date']));
  });

  it('traces one record by its event id through logs, Kafka headers, landing object, raw and curated tables', async () => {
    const source = 'policies';
    const firstPolicy = run.samples[source]!.findIndex((entry) => entry.kind === 'new');
    const record = run.accepted.filter((entry) => entry.source === source)[firstPolicy]!;

    const rows = await traceEvent(source, record.eventId);
    expect(rows.raw).toHaveLength(1);
    const raw = rows.raw[0]!;
    expect(raw).toMatchObject({ event_id: record.eventId, kafka_topic: topicForSource(stackSettings.topicPrefix, source) });
    expect(rows.quarantine).toEqual([]);

    const landing = await s3.send(new GetObjectCommand({ Bucket: stackSettings.lakeBucket, Key: String(raw.landing_key) }));
    const lines = (await landing.Body!.transformToString()).trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.find((line) => line.eventId === record.eventId)).toMatchObject({ offset: Number(raw.kafka_offset), partition: raw.kafka_partition });

    const headers = await kafkaHeadersOf(String(raw.kafka_topic), Number(raw.kafka_partition), record.eventId);
    expect(headers).toMatchObject({ 'event-id': record.eventId, 'batch-id': raw.ingest_batch_id });

    const log = readFileSync(local.runtime.logFile, 'utf8');
    expect(log).toContain(String(raw.ingest_batch_id));

    // It is the curated row's version unless a later record of the key is at least as new.
    const first = run.samples[source]![firstPolicy]!.record;
    const replaced = run.samples[source]!.some(
      (entry, index) => index > firstPolicy && entry.record.policyId === first.policyId && Date.parse(String(entry.record.updatedAt)) >= Date.parse(String(first.updatedAt)),
    );
    expect(rows.curated.map((row) => row._event_id)).toEqual(replaced ? [] : [record.eventId]);
  });
});

fileDropThroughLake(runId);

/** Reads the topic partition from the start until the message with this event id. */
async function kafkaHeadersOf(topic: string, partition: number, eventId: string): Promise<Record<string, string>> {
  const consumer = new Consumer({
    groupId: `${runId}trace`,
    clientId: 'e2e-trace',
    bootstrapBrokers: stackSettings.kafkaBrokers,
    deserializers: stringDeserializers,
  });
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
  try {
    for await (const message of stream) {
      if (message.partition !== partition) continue;
      const headers = Object.fromEntries(message.headers);
      if (headers['event-id'] === eventId) return headers;
    }
    throw new Error(`no message with event id ${eventId} on ${topic}`);
  } finally {
    await stream.close();
    await consumer.close(true);
  }
}
