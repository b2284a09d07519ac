import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '#lib/s3.ts';
import { validateAndStore } from '../../functions/validate/validate-and-store.ts';
import { loadEvent } from '../fixtures/events.ts';
import { testDependencies } from '../fixtures/test-dependencies.ts';

// An S3 endpoint of this test where nothing listens: MinIO stopped (never the shared one).
const settings = { topicPrefix: 'ingest.', kinesisStreamPrefix: 'ledgerflow-local-', cardTokenKey: 'integration-card-token-key-0123456789', lakeBucket: 'lake' };
let endpoint: string;
const s3 = () => createS3Client({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'down', secretAccessKey: 'down-secret' } });

beforeAll(async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(closed.address() as { port: number }).port}`;
  await new Promise((resolve) => closed.close(resolve));
});


describe('validation with MinIO down', () => {
  it('fails a Kafka batch whole, with StorageError, so the mapping retries it and commits nothing', async () => {
    const deps = { ...testDependencies(settings), s3: s3() };
    const started = Date.now();
    await expect(validateAndStore(loadEvent('validate-self-managed'), deps)).rejects.toMatchObject({ name: 'StorageError' });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(deps.metrics.addMetric).not.toHaveBeenCalled();
  });

  it('reports every shard of a Kinesis batch as failed from its first record', async () => {
    const event = loadEvent<{ Records: { kinesis: { sequenceNumber: string } }[] }>('validate-kinesis');
    const result = await validateAndStore(event, { ...testDependencies(settings), s3: s3() });
    expect(result).toEqual({ batchItemFailures: [expect.objectContaining({ itemIdentifier: event.Records[0]!.kinesis.sequenceNumber })] });
  });
});
