import type { PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestError } from '#lib/errors.ts';
import type { OutgoingMessage } from '#lib/record-messages.ts';
import { ingestRequest } from '../../../functions/ingest/ingest-request.ts';
import type { KafkaEvent } from '../../../functions/validate/kafka-event.ts';
import { validateAndStore } from '../../../functions/validate/validate-and-store.ts';
import { loadEvent } from '../../fixtures/events.ts';
import { testDependencies } from '../../fixtures/test-dependencies.ts';

/**
 * The oracle, written apart from the platform's detector: join digits separated by one
 * space or dash, then any run of 13 to 19 digits that starts like a payment card
 * (22-27, 3, 4, 50-58, 6) and passes Luhn is a clear card number.
 */
function clearCardNumbers(text: string): string[] {
  const runs = text.replace(/(?<=\d)[ -](?=\d)/g, '').match(/\d+/g) ?? [];
  return runs.filter((run) => run.length >= 13 && run.length <= 19 && /^(2[2-7]|[346]|5[0-8])/.test(run) && luhn(run));
}

function luhn(digits: string): boolean {
  const sum = [...digits].reverse().reduce((total, char, i) => {
    const doubled = i % 2 === 1 ? Number(char) * 2 : Number(char);
    return total + (doubled > 9 ? doubled - 9 : doubled);
  }, 0);
  return sum % 10 === 0;
}

const tokenKey = 'unit-test-card-token-key-0123456789';
const ingestSettings = { topicPrefix: 'ingest.', cardTokenKey: tokenKey, maxBodyBytes: 16 * 1024 * 1024, maxRecordsPerRequest: 100, maxMessageBytes: 128 * 1024 };

const testCards = ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '3530111333300000', '30569309025904', '6200000000000005', '2223000048400011', '4222222222222'];

const cardNumber = fc
  .tuple(fc.constantFrom(...testCards), fc.constantFrom('', ' ', '-'))
  .map(([digits, separator]) => (separator ? digits.replace(/(\d{4})(?=\d)/g, `$1${separator}`) : digits));

const hostileString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 4, arbitrary: cardNumber },
  { weight: 3, arbitrary: fc.tuple(fc.string({ maxLength: 8 }), cardNumber, fc.string({ maxLength: 8 })).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9 -]{10,40}$/) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1_000, max: 200_000 }), cardNumber).map(([size, card]) => `${'x'.repeat(size)} ${card}`) },
);

const fieldName = fc.oneof(
  fc.constantFrom('memo', 'merchant ref', 'Status', 'status_note', 'cvv', 'CVC2', 'pin', 'securityCode', 'card_security_code', 'accountId', '__proto__', 'record', 'cardmasked', 'note_1', '4111 1111 1111 1111'),
  fc.string({ maxLength: 12 }),
  cardNumber,
);

const leaf = fc.oneof(hostileString, fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom(4111111111111111, 6011111111111117));

const nested = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fieldName, tie('value'), { maxKeys: 3 })),
})).value;

/** Nested `levels` deep: beyond the limit of 16 from about the middle of the range. */
const deepValue = fc.tuple(fc.integer({ min: 1, max: 30 }), leaf).map(([levels, value]) => {
  let deep: unknown = value;
  for (let i = 0; i < levels; i++) deep = i % 2 ? [deep] : { level: deep };
  return deep;
});

const cardField = fc.oneof(
  cardNumber,
  fc.constant('4111111111111112'),
  fc.record({ masked: cardNumber, token: fc.constant('tok_forged'), luhnValid: fc.constant(true) }),
  fc.constant(4111111111111111),
);

const baseTransaction = fc.integer({ min: 1, max: 1_000_000 }).map((n) => ({
  transactionId: `TX-${n}`, accountId: 'ACC-1', type: 'debit', status: 'posted', amount: '10.50', currency: 'EUR',
  occurredAt: '2026-03-01T12:00:00Z', updatedAt: '2026-03-01T12:00:00Z',
}));

const objectRecord = fc
  .tuple(
    baseTransaction,
    fc.dictionary(fieldName, fc.oneof(leaf, nested, deepValue), { maxKeys: 4 }),
    fc.option(cardField, { nil: undefined }),
    fc.option(hostileString, { nil: undefined }),
  )
  .map(([base, extra, card, accountId]) => ({
    ...base,
    ...extra,
    ...(card === undefined ? {} : { cardNumber: card }),
    ...(accountId === undefined ? {} : { accountId }),
  }));

const hostileRecord = fc.oneof({ weight: 8, arbitrary: objectRecord }, { weight: 1, arbitrary: leaf }, { weight: 1, arbitrary: fc.array(leaf, { maxLength: 3 }) });

function ingestEvent(records: unknown[]): APIGatewayProxyEventV2 {
  const event = loadEvent<APIGatewayProxyEventV2>('ingest-valid');
  return { ...event, body: JSON.stringify(records), isBase64Encoded: false };
}

/** The Kafka event Lambda would deliver for the published messages, one partition, offsets from 0. */
function kafkaEventOf(messages: OutgoingMessage[]): KafkaEvent {
  const records = messages.map((message, offset) => ({
    topic: message.topic, partition: 0, offset, timestamp: 1772366406000, timestampType: 'CREATE_TIME',
    key: Buffer.from(message.key).toString('base64'),
    value: Buffer.from(message.value).toString('base64'),
    headers: Object.entries(message.headers).map(([name, value]) => ({ [name]: [...Buffer.from(value)] })),
  }));
  return { eventSource: 'aws:kafka', records: { 'ingest.transactions-0': records } };
}

async function runPipeline(records: unknown[]) {
  const published: OutgoingMessage[] = [];
  const ingestDeps = { ...testDependencies(ingestSettings), publish: async (messages: OutgoingMessage[]) => void published.push(...messages), now: () => new Date('2026-03-01T12:00:06Z') };
  const send = (batch: unknown[]) => ingestRequest(ingestEvent(batch), ingestDeps).then((response) => response as APIGatewayProxyStructuredResultV2, (error: unknown) => error);

  const exposed: string[] = [];
  let sent = records;
  let outcome = await send(sent);
  const refused = new Set<number>();
  if (outcome instanceof RequestError) {
    exposed.push(JSON.stringify({ message: outcome.message, details: outcome.details }));
    expect(outcome.statusCode).toBe(422);
    expect(published).toEqual([]);
    for (const { index } of (outcome.details as { records: { index: number }[] }).records) refused.add(index);
    expect(refused.size).toBeGreaterThan(0);
    // Without the records it named, the same batch is accepted whole.
    sent = records.filter((_, index) => !refused.has(index));
    if (sent.length === 0) return { exposed, refused, sent, published, lines: [] };
    outcome = await send(sent);
  }
  expect(outcome).toMatchObject({ statusCode: 202 });
  expect(published).toHaveLength(sent.length);

  const puts: PutObjectCommandInput[] = [];
  const s3 = { send: async (command: { input: PutObjectCommandInput }) => void puts.push(command.input) } as unknown as S3Client;
  const validateDeps = { ...testDependencies({ topicPrefix: 'ingest.', cardTokenKey: tokenKey, lakeBucket: 'lake', kinesisStreamPrefix: 'ledgerflow-local-' }), s3 };
  await validateAndStore(kafkaEventOf(published), validateDeps);

  for (const message of published) exposed.push(message.key, message.value, ...Object.values(message.headers));
  for (const put of puts) exposed.push(String(put.Key), String(put.Body));
  for (const deps of [ingestDeps, validateDeps]) {
    for (const log of [deps.logger.info, deps.logger.warn, deps.logger.error]) exposed.push(...log.mock.calls.map((args) => JSON.stringify(args)));
  }
  const lines = puts.flatMap((put) => String(put.Body).trim().split('\n').map((line) => ({ layer: String(put.Key).split('/')[0], line: JSON.parse(line) })));
  return { exposed, refused, sent, published, lines };
}

describe('hostile records through ingest and validation', () => {
  it('never let a clear card number reach Kafka, the lake or a log line, and each record is refused by index or stored exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileRecord, { minLength: 1, maxLength: 6 }), async (records) => {
        const { exposed, refused, published, lines } = await runPipeline(records);
        for (const text of exposed) expect(clearCardNumbers(text), text.slice(0, 300)).toEqual([]);
        for (const index of refused) expect(index).toBeLessThan(records.length);
        const eventIds = published.map((message) => message.headers['event-id']);
        const stored = lines.map(({ line }) => line.eventId);
        expect(stored.sort()).toEqual([...eventIds].sort());
        expect(lines.every(({ layer }) => layer === 'landing' || layer === 'quarantine')).toBe(true);
      }),
      { numRuns: 800 },
    );
  }, 60_000);
});
