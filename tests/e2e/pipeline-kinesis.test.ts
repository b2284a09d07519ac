import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { kinesisStreamPrefix, streamForSource } from '#lib/kinesis.ts';
import { createKinesisClient } from '#lib/kinesis-client.ts';
import { decodeStreamEnvelope } from '#lib/stream-envelope.ts';
import { localStage, stackSettings } from '../../local-stack/stack.config.ts';
import { traceEvent } from '../../tools/pipeline/reconcile.ts';
import { lakeClient } from '../../tools/pipeline/settle.ts';
import { fileDropThroughLake, mixedSampleThroughApi, useLocalRuntime } from './support.ts';

// The same pipeline as pipeline.test.ts with StreamEngine=kinesis: ingest and file drop put
// records into the stack's Kinesis streams, the runtime's Kinesis bridge feeds validation.
// Smaller samples, as the Kafka file covers the contracts' outcomes in depth.
const runId = `e2ek${Date.now().toString(36)}-`;
const s3 = lakeClient();
const perSource = 150;

const local = useLocalRuntime({ stream: 'kinesis' });

describe('a mixed sample through the public API, over Kinesis', () => {
  const run = mixedSampleThroughApi(local, { perSource, seed: 12, keyPrefix: runId });

  it('traces one record by its event id through the stream, its landing object and the raw table', async () => {
    const source = 'policies';
    const record = run.accepted.find((entry) => entry.source === source)!;
    const stream = streamForSource(kinesisStreamPrefix(localStage), source);

    const rows = await traceEvent(source, record.eventId);
    expect(rows.raw).toHaveLength(1);
    const raw = rows.raw[0]!;
    expect(raw).toMatchObject({ event_id: record.eventId, kafka_topic: stream, kafka_offset: null });

    const landing = await s3.send(new GetObjectCommand({ Bucket: stackSettings.lakeBucket, Key: String(raw.landing_key) }));
    expect(String(raw.landing_key)).toMatch(new RegExp(`^landing/${source}/${stream}/shard=shardId-\\d+/\\d+-\\d+\\.ndjson$`));
    const lines = (await landing.Body!.transformToString()).trim().split('\n').map((line) => JSON.parse(line));
    const line = lines.find((candidate) => candidate.eventId === record.eventId);
    expect(line).toMatchObject({ topic: stream, offset: null, sequenceNumber: expect.stringMatching(/^\d+$/) });

    const headers = await kinesisHeadersOf(stream, line.sequenceNumber);
    expect(headers).toMatchObject({ 'event-id': record.eventId, 'batch-id': raw.ingest_batch_id });
  });
});

fileDropThroughLake(runId);

/** The envelope headers of the record with this sequence number, read from the stream. */
async function kinesisHeadersOf(stream: string, sequenceNumber: string): Promise<Record<string, string>> {
  const kinesis = createKinesisClient({ endpoint: stackSettings.kinesisEndpoint, region: stackSettings.region, credentials: stackSettings.credentials });
  const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName: stream }));
  for (const shard of Shards ?? []) {
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: sequenceNumber }),
    ).catch(() => ({ ShardIterator: undefined }));
    if (!ShardIterator) continue;
    const { Records } = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 1 }));
    const found = Records?.find((candidate) => candidate.SequenceNumber === sequenceNumber);
    if (found) return decodeStreamEnvelope(JSON.parse(Buffer.from(found.Data!).toString('utf8'))).headers;
  }
  throw new Error(`no record ${sequenceNumber} in ${stream}`);
}
