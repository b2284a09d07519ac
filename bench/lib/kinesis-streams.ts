import { CreateStreamCommand, DeleteStreamCommand, DescribeStreamSummaryCommand, type KinesisClient, ResourceNotFoundException } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '#lib/kinesis-client.ts';
import type { Service } from './services.ts';
import { sleep } from './timing.ts';

export const kinesisService = (endpoint: string): Service => {
  const url = new URL(endpoint);
  return { name: 'Kinesis (kinesalite)', host: url.hostname, port: Number(url.port), hint: 'start the stack: npm run stack:up' };
};

/** A client of the stack's Kinesis API. */
export async function stackKinesisClient(): Promise<KinesisClient> {
  const { stackSettings } = await import('../../local-stack/stack.config.ts');
  return createKinesisClient({ endpoint: stackSettings.kinesisEndpoint, region: stackSettings.region, credentials: stackSettings.credentials });
}

/** Deletes a benchmark stream if it exists; a missing one is fine. */
export async function deleteStream(kinesis: KinesisClient, name: string): Promise<void> {
  await kinesis.send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true })).catch((error) => {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  });
  while (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name })).then(() => true, () => false)) await sleep(100);
}

/** A fresh, empty benchmark stream with `shards` shards, ACTIVE. */
export async function recreateStream(kinesis: KinesisClient, name: string, shards: number): Promise<void> {
  await deleteStream(kinesis, name);
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  while ((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary?.StreamStatus !== 'ACTIVE') await sleep(100);
}
