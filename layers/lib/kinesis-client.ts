import { KinesisClient, PutRecordsCommand, type PutRecordsCommandInput } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

// Apart from kinesis.ts (settings, limits, the durable put), so a function that only reads
// Kinesis settings or publishes to Kafka does not load the Kinesis client.

/** The one way the product builds a Kinesis client: functions, the local stack, tools, benchmarks and tests alike. */
export function createKinesisClient(options: { endpoint?: string; region?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } = {}): KinesisClient {
  const { endpoint, ...rest } = options;
  if (!endpoint) return new KinesisClient(rest);
  // Local servers (kinesalite) speak HTTP/1.1 only; the SDK's Kinesis client defaults to HTTP/2.
  return new KinesisClient({ ...rest, endpoint, requestHandler: new NodeHttpHandler() });
}

/** `send` for putRecordsDurably (kinesis.ts): one PutRecords request through `client`. */
export const putRecordsSender = (client: KinesisClient) => (input: PutRecordsCommandInput) => client.send(new PutRecordsCommand(input));
