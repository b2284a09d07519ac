import { existsSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortOpen } from '../../processes.ts';
import { createTestStack, installedDir, type TestStack } from './test-stack.ts';

/** The CLI over a definition of the tests' own: up, status, down, down --purge. */

let stack: TestStack;
const allPorts = () => [
  stack.settings.kafkaPort,
  stack.settings.kafkaControllerPort,
  stack.settings.minioPort,
  stack.settings.minioConsolePort,
  ...stack.settings.services.map((service) => service.port),
];
const openPorts = async () => (await Promise.all(allPorts().map(async (port) => ((await isPortOpen(port)) ? [port] : [])))).flat();

beforeAll(async () => {
  stack = await createTestStack();
});

afterAll(() => {
  if (stack) stack.cli('down', '--purge');
});

describe('local-services CLI', () => {
  it('refuses to start a component whose port a foreign process holds, naming the port', async () => {
    const foreign: Server = await new Promise((done) => {
      const server = createServer().listen(stack.settings.minioPort, '127.0.0.1', () => done(server));
    });
    try {
      const result = stack.cli('up');

      expect(result.code).toBe(1);
      expect(result.output).toContain(`port ${stack.settings.minioPort}`);
    } finally {
      await new Promise((done) => foreign.close(done));
      stack.cli('down');
    }
  });

  it('up starts Kafka, MinIO and the extra service, and status then exits 0', () => {
    const up = stack.cli('up');

    expect(up.code, up.output).toBe(0);
    expect(up.output).toContain(`echo ${stack.settings.services[0]!.url}`);
    const status = stack.cli('status');
    expect(status.code, status.output).toBe(0);
    expect(status.output).toMatch(/^kafka\s.*healthy: topics test\.orders, test\.payments/m);
    expect(status.output).toMatch(/^minio\s.*healthy: bucket services-test read\/write/m);
    expect(status.output).toMatch(/^echo\s.*healthy: GET .*\/health 200/m);
    expect(status.output).not.toMatch(/^spark/m);
  });

  it('a second up finds every component running and starts nothing', () => {
    const again = stack.cli('up');

    expect(again.code, again.output).toBe(0);
    for (const name of ['kafka', 'minio', 'echo']) expect(again.output).toContain(`✓ ${name} is already running`);
    expect(again.output).not.toContain('… start');
  });

  it('down stops every process it started and frees every port; status then exits 1', async () => {
    const down = stack.cli('down');

    expect(down.code, down.output).toBe(0);
    expect(await openPorts()).toEqual([]);
    expect(readdirSync(join(stack.stateDir, 'pids'))).toEqual([]);
    expect(stack.cli('status', '--quiet')).toEqual({ code: 1, output: '' });
  });

  it('down --purge deletes the state folder but not the install it links to', () => {
    const purge = stack.cli('down', '--purge');

    expect(purge.code, purge.output).toBe(0);
    expect(existsSync(stack.stateDir)).toBe(false);
    expect(existsSync(join(installedDir, 'kafka/.installed'))).toBe(true);
    expect(existsSync(join(installedDir, 'minio/.installed'))).toBe(true);
  });
});
