/**
 * The local Kinesis Data Streams API for the stack (`stack:up`): kinesalite on loopback,
 * its streams kept in LevelDB under --data, and the source streams created when missing.
 * GET /health answers 200 once every stream is ACTIVE, which is what the stack waits for.
 *
 *   node --import tsx local-stack/kinesis-server.ts --port 4567 --data .stack/kinesis --shards 2 --streams a,b
 *
 * kinesalite's own command line listens on every interface, so it is started through its API.
 */
import { mkdirSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { CreateStreamCommand, DescribeStreamSummaryCommand, ResourceInUseException } from '@aws-sdk/client-kinesis';
import kinesalite from 'kinesalite';
import { createKinesisClient } from '#lib/kinesis-client.ts';

const { values } = parseArgs({
  options: { port: { type: 'string' }, data: { type: 'string' }, shards: { type: 'string', default: '2' }, streams: { type: 'string', default: '' } },
});
const port = Number(values.port);
const shards = Number(values.shards);
const streams = values.streams.split(',').filter(Boolean);
if (!Number.isInteger(port) || !values.data || !Number.isInteger(shards) || shards < 1) {
  throw new Error('usage: kinesis-server.ts --port <port> --data <dir> [--shards <n>] [--streams a,b]');
}

mkdirSync(values.data, { recursive: true });
const server: Server = kinesalite({ path: values.data, createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
let ready = false;
const [kinesisApi] = server.listeners('request') as ((request: IncomingMessage, response: ServerResponse) => void)[];
server.removeAllListeners('request');
server.on('request', (request: IncomingMessage, response: ServerResponse) => {
  if (request.method !== 'GET' || request.url !== '/health') return kinesisApi!(request, response);
  response.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? `streams ${streams.join(', ')}\n` : 'creating streams\n');
});

server.listen(port, '127.0.0.1', async () => {
  // Any region and credentials do: kinesalite checks neither.
  const client = createKinesisClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1' });
  for (const stream of streams) {
    try {
      await client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: shards }));
      console.log(`created stream ${stream} (${shards} shards)`);
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    while ((await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary?.StreamStatus !== 'ACTIVE') {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  ready = true;
  console.log(`kinesalite on 127.0.0.1:${port}, data in ${values.data}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => process.exit(0)));
