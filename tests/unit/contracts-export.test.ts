import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kinesisLandingObjectKey, kinesisQuarantineObjectKey, landingObjectKey, quarantineObjectKey } from '#contracts/lake.ts';
import { exportContracts, lakeContractJsonPath } from '../../tools/export-contracts.ts';

const exported = () => JSON.parse(exportContracts());
const names = (fields: { name: string }[]) => fields.map((field) => field.name);

describe('lake contract export for Spark', () => {
  it('matches the committed spark/ledgerflow_spark/lake_contract.json (run `npm run contracts:export` after changing a contract or the lake contract)', () => {
    const committed = readFileSync(lakeContractJsonPath, 'utf8');
    expect(committed).toBe(exportContracts());
  });

  it('types money fields as DECIMAL and leaves clear card fields out', () => {
    const transactions = exported().sources.find((source: any) => source.source === 'transactions');
    expect(transactions.fields).toContainEqual({ name: 'amount', type: 'decimal(38,6)' });
    expect(transactions.fields).toContainEqual({ name: 'updatedAt', type: 'timestamp' });
    expect(names(transactions.fields)).not.toContain('cardNumber');
    expect(transactions.cardFields).toEqual(['cardNumber']);
  });

  it('names each source table and where it lives in the bucket', () => {
    const transactions = exported().sources.find((source: any) => source.source === 'transactions');
    expect(transactions.tables.curated).toEqual({ name: 'curated.transactions', path: 'tables/curated/transactions' });
    expect(transactions.tables.raw).toEqual({ name: 'raw.transactions', path: 'tables/raw/transactions' });
    expect(transactions.prefixes.landing).toBe('landing/transactions/');
    expect(transactions.prefixes.quarantine).toBe('quarantine/transactions/');
  });

  it('names each gold table and where it lives in the bucket', () => {
    expect(exported().lake.gold).toEqual({
      transactions_daily: { name: 'gold.transactions_daily', path: 'tables/gold/transactions_daily' },
      claims_by_product: { name: 'gold.claims_by_product', path: 'tables/gold/claims_by_product' },
      policies_history: { name: 'gold.policies_history', path: 'tables/gold/policies_history' },
    });
  });

  it('carries key formats that fill in to the keys the writers use', () => {
    const { objectKeys, offsetDigits } = exported().lake;
    const range = { topic: 'ingest.claims', partition: 3, firstOffset: '7', lastOffset: '42' };
    const fill = (format: string) =>
      format
        .replace('{source}', 'claims')
        .replace('{topic}', range.topic)
        .replace('{partition}', String(range.partition))
        .replace('{firstOffset}', range.firstOffset.padStart(offsetDigits, '0'))
        .replace('{lastOffset}', range.lastOffset.padStart(offsetDigits, '0'));
    expect(fill(objectKeys.landing)).toBe(landingObjectKey('claims', range));
    expect(fill(objectKeys.quarantine)).toBe(quarantineObjectKey('claims', range));
    expect(landingObjectKey('claims', range)).toBe('landing/claims/ingest.claims/partition=3/00000000000000000007-00000000000000000042.ndjson');
  });

  it('carries the Kinesis key formats, which fill in to the keys validation writes for a shard', () => {
    const { objectKeys, sequenceNumberDigits } = exported().lake;
    const range = { stream: 'ledgerflow-prod-claims', shardId: 'shardId-000000000002', firstSequenceNumber: '49590338271490256608559692538361571095921575989136588898', lastSequenceNumber: '49590338271490256608559692540925702759324208523137515618' };
    const fill = (format: string) =>
      format
        .replace('{source}', 'claims')
        .replace('{stream}', range.stream)
        .replace('{shardId}', range.shardId)
        .replace('{firstSequenceNumber}', range.firstSequenceNumber.padStart(sequenceNumberDigits, '0'))
        .replace('{lastSequenceNumber}', range.lastSequenceNumber.padStart(sequenceNumberDigits, '0'));
    expect(fill(objectKeys.kinesisLanding)).toBe(kinesisLandingObjectKey('claims', range));
    expect(fill(objectKeys.kinesisQuarantine)).toBe(kinesisQuarantineObjectKey('claims', range));
    expect(kinesisLandingObjectKey('claims', range)).toBe(`landing/claims/ledgerflow-prod-claims/shard=shardId-000000000002/${range.firstSequenceNumber}-${range.lastSequenceNumber}.ndjson`);
  });

  it('describes the landing and quarantine lines field by field, in the order they are written', () => {
    const { lines } = exported().lake;
    expect(names(lines.landing)).toEqual([
      'eventId', 'batchId', 'receivedAt', 'traceparent', 'source', 'topic', 'partition', 'offset', 'kafkaTimestamp', 'sequenceNumber',
      'op', 'key', 'eventTime', 'contractVersion', 'record',
    ]);
    // A Kinesis record has a sequence number (too long for a bigint) in place of an offset.
    expect(lines.landing.find((field: any) => field.name === 'offset')).toMatchObject({ type: 'bigint', nullable: true });
    expect(lines.landing.find((field: any) => field.name === 'sequenceNumber')).toMatchObject({ type: 'string', optional: true });
    expect(lines.landing.find((field: any) => field.name === 'op')).toMatchObject({ type: 'string', values: ['upsert', 'delete'], nullable: false });
    const reasons = lines.quarantine.find((field: any) => field.name === 'reasons');
    expect(names(reasons.items)).toEqual(['path', 'message']);
    expect(lines.quarantine.find((field: any) => field.name === 'partition')).toMatchObject({ type: 'int', nullable: true });
    expect(lines.quarantine.find((field: any) => field.name === 'file')).toMatchObject({ type: 'string', optional: true });
  });
});
