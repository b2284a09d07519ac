import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineStack, type StackDefinition } from '../definition.ts';

/** A stack definition of the tests' own, in a fresh state folder; overrides replace whole top-level parts. */
export function testDefinition(overrides: Partial<StackDefinition> = {}): StackDefinition {
  return defineStack({
    name: 'services-test',
    stateDir: mkdtempSync(join(tmpdir(), 'local-services-')),
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test-user', secretAccessKey: 'test-secret-123' },
    kafka: { port: 9092, topics: ['orders', 'payments'] },
    s3: { port: 9000, bucket: 'test-bucket' },
    ...overrides,
  });
}
