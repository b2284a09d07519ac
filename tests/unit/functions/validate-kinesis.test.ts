import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { kinesisLandingObjectKey, kinesisQuarantineObjectKey } from '#contracts/lake.ts';
import { recordMessage } from '#lib/record-messages.ts';
import { encodeStreamEnvelope } from '#lib/stream-envelope.ts';
import { type KinesisEvent, kinesisEventSchema } from '../../../functions/validate/kinesis-event.ts';
import { validateKinesisBatch } from '../../../functions/validate/validate-kinesis-batch.ts';
import { loadEvent } from '../../fixtures/events.ts';
import { lambdaContext } from '../../fixtures/lambda-context.ts';
import { testDependencies } from '../../fixtures/test-dependencies.ts';

const s3 = mockClient(S3Client);
const { handler } = await import('../../../functions/validate/handler.ts');

const cardTokenKey = 'unit-test-card-token-key-0123456789';
const settings = { streamPrefix: 'ledgerflow-local-', cardTokenKey, findContract: testDependencies({}).findContract };
const fixture = () => kinesisEventSchema.parse(loadEvent('validate-kinesis'));
const lines = (body: unknown) => String(body).trim().split('\n').map((line) => JSON.parse(line));

/** A Kinesis event of one shard carrying the given data, sequence numbers from `first` on. */
function kinesisEvent(data: (string | Buffer)[], first = 49_668_120_474_623_521_092_858_839_128_763_418_962_830_614_232_356_438_018n): KinesisEvent {
  return {
    Records: data.map((text, index) => {
      const sequenceNumber = String(first + BigInt(index) * 1000n);
      return {
        kinesis: { kinesisSchemaVersion: '1.0', partitionKey: `K-${index}`, sequenceNumber, data: Buffer.from(text).toString('base64'), approximateArrivalTimestamp: 1772366406.125 },
        eventSource: 'aws:kinesis' as const,
        eventVersion: '1.0',
        eventID: `shardId-000000000003:${sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::123456789012:role/ValidateFunctionRole',
        awsRegion: 'us-east-1',
        eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/ledgerflow-local-claims',
      };
    }),
  };
}

const claim = {
  claimId: 'CLM-1',
  policyId: 'POL-1',
  lossType: 'theft',
  status: 'reported',
  lossDate: '2026-02-01',
  reportedAt: '2026-02-02T10:00:00Z',
  claimedAmount: '1200.00',
  currency: 'EUR',
  updatedAt: '2026-02-02T10:00:00Z',
};

describe('validation of a Kinesis batch', () => {
  it('keys its objects by stream, shard and first and last sequence numbers, so a retried batch overwrites them', () => {
    const event = fixture();
    const [first, last] = [event.Records[0]!.kinesis.sequenceNumber, event.Records[1]!.kinesis.sequenceNumber];
    const range = { stream: 'ledgerflow-local-transactions', shardId: 'shardId-000000000000', firstSequenceNumber: first, lastSequenceNumber: last };

    const batch = validateKinesisBatch(event, settings);

    expect(batch.objects.map((object) => object.key)).toEqual([kinesisLandingObjectKey('transactions', range)]);
    expect(batch.objects[0]!.key).toBe(`landing/transactions/ledgerflow-local-transactions/shard=shardId-000000000000/${first}-${last}.ndjson`);
    expect(validateKinesisBatch(fixture(), settings).objects.map((object) => object.key)).toEqual(batch.objects.map((object) => object.key));
  });

  it('reads the lineage from the ingest envelope, and a bare record as one without headers', () => {
    const [enveloped, bare] = validateKinesisBatch(fixture(), settings).objects[0]!.lines;
    expect(enveloped).toMatchObject({ eventId: '6f1c1c1e-8a5e-4f53-9a53-0d0f0c2b7a11', receivedAt: '2026-03-01T11:00:06.120Z', source: 'transactions', key: 'TX-1001' });
    expect(bare).toMatchObject({ eventId: null, batchId: null, key: 'TX-1002' });
  });

  it('records the stream position: stream as topic, shard number as partition, sequence number instead of an offset, arrival time', () => {
    const event = fixture();
    const [line] = validateKinesisBatch(event, settings).objects[0]!.lines;
    expect(line).toMatchObject({
      topic: 'ledgerflow-local-transactions',
      partition: 0,
      offset: null,
      sequenceNumber: event.Records[0]!.kinesis.sequenceNumber,
      kafkaTimestamp: 1772366406120,
    });
  });

  it('stores no clear card number from the fixture', () => {
    const text = JSON.stringify(validateKinesisBatch(fixture(), settings).objects);
    expect(text).not.toMatch(/4111[ -]?1111[ -]?1111[ -]?1111/);
  });

  it('validates what ingest publishes exactly as from Kafka, card findings carried in the envelope', () => {
    const message = recordMessage(
      testDependencies({}).findContract('claims')!,
      { ...claim, notes: 'card 4111 1111 1111 1111 on the phone' },
      { eventId: 'E-1', batchId: 'B-1', receivedAt: '2026-02-02T10:00:01.000Z' },
      { topicPrefix: 'ledgerflow-local-', tokenKey: cardTokenKey },
    );
    const batch = validateKinesisBatch(kinesisEvent([encodeStreamEnvelope(message), encodeStreamEnvelope({ headers: { 'event-id': 'E-2' }, value: JSON.stringify(claim) })]), settings);

    expect(batch).toMatchObject({ valid: 1, invalid: 1 });
    const quarantined = batch.objects.find((object) => object.key.startsWith('quarantine/'))!.lines[0]!;
    expect(quarantined).toMatchObject({ eventId: 'E-1', reasons: [expect.objectContaining({ message: expect.stringContaining('clear card number') })] });
  });

  it('quarantines data that is not JSON or not UTF-8, and fails nothing else of the batch', () => {
    const event = kinesisEvent(['not json', encodeStreamEnvelope({ headers: {}, value: JSON.stringify(claim) }), Buffer.from([0xff, 0xfe])]);
    const [first, , last] = event.Records.map((record) => record.kinesis.sequenceNumber);

    const batch = validateKinesisBatch(event, settings);

    expect(batch).toMatchObject({ valid: 1, invalid: 2 });
    const range = { stream: 'ledgerflow-local-claims', shardId: 'shardId-000000000003', firstSequenceNumber: first!, lastSequenceNumber: last! };
    const quarantine = batch.objects.find((object) => object.key === kinesisQuarantineObjectKey('claims', range))!;
    const reasons = quarantine.lines.map((line) => (line as { reasons: { message: string }[] }).reasons[0]!.message);
    expect(reasons.sort()).toEqual(['value is not valid JSON', 'value is not valid UTF-8']);
  });
});

describe('validate handler with a Kinesis event', () => {
  beforeEach(() => {
    s3.reset();
  });

  it('writes the landing object and reports no failed record', async () => {
    s3.on(PutObjectCommand).resolves({});
    const result = await handler(loadEvent('validate-kinesis'), lambdaContext('ValidateFunction'));
    expect(result).toEqual({ batchItemFailures: [] });
    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts).toHaveLength(1);
    expect(lines(puts[0]!.Body)).toHaveLength(2);
  });

  it('reports the first record of the shard as failed when its objects cannot be written, so Lambda retries from there', async () => {
    s3.on(PutObjectCommand).rejects(new Error('SlowDown'));
    const event = loadEvent('validate-kinesis');
    const result = await handler(event, lambdaContext('ValidateFunction'));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[0].kinesis.sequenceNumber }] });
  });

  it('refuses an event that is not in the Kinesis shape', async () => {
    await expect(handler({ Records: [{ eventSource: 'aws:kinesis' }] }, lambdaContext('ValidateFunction'))).rejects.toMatchObject({ name: 'ZodError' });
  });
});
