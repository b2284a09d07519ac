import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchRuntime } from '../../../tools/pipeline/local-services.ts';

// Holds port 3000 (or finds it held already): a second runtime there would never serve,
// and the first one's API would answer in its place.
let server: Server | undefined;
beforeAll(async () => {
  server = await new Promise<Server | undefined>((resolve) => {
    const candidate = createServer();
    candidate.once('error', () => resolve(undefined));
    candidate.listen(3000, '127.0.0.1', () => resolve(candidate));
  });
});
afterAll(() => server?.close());

describe('launchRuntime', () => {
  it('refuses to start while something listens on the API port, naming it', async () => {
    await expect(launchRuntime()).rejects.toThrow('port 3000 is in use');
  });
});
