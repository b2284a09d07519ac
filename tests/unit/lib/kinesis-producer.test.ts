import type { PutRecordsCommandInput, PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { describe, expect, it, vi } from 'vitest';
import { kinesisLimits, partitionKeyFor, putRecordsDurably } from '#lib/kinesis.ts';
import type { OutgoingMessage } from '#lib/record-messages.ts';
import { decodeStreamEnvelope, encodeStreamEnvelope } from '#lib/stream-envelope.ts';
import { publishToKinesis } from '#lib/stream-publisher.ts';

const message = (key: string, value = '{"id":"x"}'): OutgoingMessage => ({ topic: 'ledgerflow-local-claims', key, value, headers: { 'event-id': `E-${key}` } });
const messages = (count: number, valueBytes = 10) => Array.from({ length: count }, (_, index) => message(`K-${index}`, JSON.stringify({ pad: 'x'.repeat(valueBytes) })));

type Send = (input: PutRecordsCommandInput) => Promise<Pick<PutRecordsCommandOutput, 'Records'>>;

/** A stream that takes every record, except those `fails` names on the attempt it names. */
function fakeStream(fails: (partitionKey: string, attempt: number) => string | undefined = () => undefined) {
  const attempts = new Map<string, number>();
  const requests: PutRecordsCommandInput[] = [];
  let sequence = 1000n;
  const send: Send = vi.fn(async (input: PutRecordsCommandInput) => {
    requests.push(input);
    return {
      Records: input.Records!.map((record) => {
        const attempt = (attempts.get(record.PartitionKey!) ?? 0) + 1;
        attempts.set(record.PartitionKey!, attempt);
        const errorCode = fails(record.PartitionKey!, attempt);
        if (errorCode) return { ErrorCode: errorCode, ErrorMessage: 'Rate exceeded for shard' };
        sequence += 1n;
        return { ShardId: 'shardId-000000000000', SequenceNumber: String(sequence) };
      }),
    };
  });
  return { send, requests, attempts };
}

const noWait = { sleep: async () => {} };

describe('putRecordsDurably', () => {
  it('sends records keyed by business key, in requests of at most 500 records', async () => {
    const stream = fakeStream();
    const outcomes = await putRecordsDurably(stream.send, 'ledgerflow-local-claims', messages(1201), noWait);
    expect(stream.requests.map((request) => request.Records!.length)).toEqual([500, 500, 201]);
    expect(stream.requests[0]!.Records![0]!.PartitionKey).toBe('K-0');
    expect(outcomes.every((outcome) => outcome.durable)).toBe(true);
  });

  it('keeps each request within 5 MB of data and partition keys', async () => {
    const stream = fakeStream();
    await putRecordsDurably(stream.send, 'ledgerflow-local-claims', messages(12, 900 * 1024), noWait);
    for (const request of stream.requests) {
      const bytes = request.Records!.reduce((sum, record) => sum + (record.Data as Uint8Array).byteLength + Buffer.byteLength(record.PartitionKey!), 0);
      expect(bytes).toBeLessThanOrEqual(kinesisLimits.bytesPerRequest);
    }
    expect(stream.requests.map((request) => request.Records!.length)).toEqual([5, 5, 2]);
  });

  it('sends again only the records that failed, until they are durable', async () => {
    const stream = fakeStream((key, attempt) => (key === 'K-1' && attempt < 3 ? 'ProvisionedThroughputExceededException' : undefined));
    const outcomes = await putRecordsDurably(stream.send, 'ledgerflow-local-claims', messages(3), noWait);
    expect(stream.requests.map((request) => request.Records!.map((record) => record.PartitionKey))).toEqual([['K-0', 'K-1', 'K-2'], ['K-1'], ['K-1']]);
    expect(outcomes.map((outcome) => outcome.durable)).toEqual([true, true, true]);
  });

  it('gives up after its attempts with bounded backoff, reporting per record which are not durable and why', async () => {
    const sleep = vi.fn(async (_ms: number) => {});
    const stream = fakeStream((key) => (key === 'K-2' ? 'InternalFailure' : undefined));
    const outcomes = await putRecordsDurably(stream.send, 'ledgerflow-local-claims', messages(3), { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250, sleep });
    expect(stream.attempts.get('K-2')).toBe(4);
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([100, 200, 250]);
    expect(outcomes[2]).toEqual({ durable: false, errorCode: 'InternalFailure', errorMessage: 'Rate exceeded for shard' });
    expect(outcomes.slice(0, 2).every((outcome) => outcome.durable)).toBe(true);
  });

  it('counts the records of a request that failed whole as not durable, and sends them again', async () => {
    let calls = 0;
    const stream = fakeStream();
    const send: Send = async (input) => {
      calls += 1;
      if (calls === 1) throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      return stream.send(input);
    };
    const outcomes = await putRecordsDurably(send, 'ledgerflow-local-claims', messages(2), noWait);
    expect(outcomes.every((outcome) => outcome.durable)).toBe(true);
    expect(calls).toBe(2);
  });

  it('refuses, without sending, a record over 1 MB with its partition key', async () => {
    const stream = fakeStream();
    const outcomes = await putRecordsDurably(stream.send, 'ledgerflow-local-claims', [message('big', JSON.stringify({ pad: 'x'.repeat(kinesisLimits.bytesPerRecord) }))], noWait);
    expect(outcomes[0]).toMatchObject({ durable: false, errorCode: 'RecordTooLarge' });
    expect(stream.requests).toHaveLength(0);
  });
});

describe('partitionKeyFor', () => {
  it('keeps a business key of up to 256 characters and hashes a longer one to the same key every time', () => {
    expect(partitionKeyFor('CLM-1')).toBe('CLM-1');
    const long = 'K'.repeat(300);
    expect(partitionKeyFor(long)).toMatch(/^[0-9a-f]{64}$/);
    expect(partitionKeyFor(long)).toBe(partitionKeyFor(long));
  });
});

describe('the stream envelope', () => {
  it('carries the headers and the value through, the value as JSON', () => {
    const data = encodeStreamEnvelope(message('K-1', '{"claimId":"CLM-1","amount":"1.50"}'));
    expect(decodeStreamEnvelope(JSON.parse(data))).toEqual({ headers: { 'event-id': 'E-K-1' }, value: { claimId: 'CLM-1', amount: '1.50' } });
  });

  it('reads anything else as a bare value without headers, and drops header values that are not strings', () => {
    expect(decodeStreamEnvelope({ claimId: 'CLM-1' })).toEqual({ headers: {}, value: { claimId: 'CLM-1' } });
    expect(decodeStreamEnvelope({ envelope: 'ledgerflow-record/1', headers: { 'event-id': 7, 'batch-id': 'B' }, value: null })).toEqual({ headers: { 'batch-id': 'B' }, value: null });
  });
});

describe('publishToKinesis', () => {
  it('resolves once every record is durable in its stream', async () => {
    const stream = fakeStream();
    await expect(publishToKinesis(stream.send, messages(3))).resolves.toBeUndefined();
    expect(stream.requests[0]!.StreamName).toBe('ledgerflow-local-claims');
  });

  it('throws a PublishError naming how many records are not durable and why', async () => {
    const stream = fakeStream((key) => (key === 'K-0' ? 'ProvisionedThroughputExceededException' : undefined));
    await expect(publishToKinesis(stream.send, messages(3), noWait)).rejects.toMatchObject({
      name: 'PublishError',
      message: '1 of 3 records are not durable in Kinesis stream ledgerflow-local-claims (ProvisionedThroughputExceededException)',
    });
  });
});
