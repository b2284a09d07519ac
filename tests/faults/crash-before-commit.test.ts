import { describe, expect, it } from 'vitest';
import { duplicateRows } from '../../tools/pipeline/duplicate-rows.ts';
import { stackSettings } from '../../local-stack/stack.config.ts';
import { startRuntime } from '../../tools/pipeline/local-services.ts';
import { reconcile } from '../../tools/pipeline/reconcile.ts';
import { type AcceptedRecord, sendRecords } from '../../tools/pipeline/send-records.ts';
import { generateSample } from '../../tools/sample-data/generate-sample.ts';
import { useLocalRuntime } from '../e2e/support.ts';
import { committedOffsets, topicOf, validateGroup } from './consumer-groups.ts';
import { waitUntilSwept } from './merge-service.ts';
import { waitUntilRuntimeWaitsOnStorage } from './runtime-instances.ts';
import { componentPid, restartStack, signalComponent, waitUntilGone } from './stack-processes.ts';
import { ValidatedEvents } from './validated-events.ts';

const runId = `crash${Date.now().toString(36)}-`;
const source = 'claims';
const local = useLocalRuntime();
const storagePort = Number(new URL(stackSettings.s3Endpoint).port);

describe('the runtime killed after validation wrote its objects and before the bridge committed the offsets', () => {
  it('a crash between an S3 write and the offset commit leaves no duplicate', async () => {
    const sample = generateSample({ source, count: 40, seed: 5, keyPrefix: runId }).map((entry) => entry.record);
    const validated = new ValidatedEvents();
    await validated.refresh();
    const send = async (records: unknown[]): Promise<AcceptedRecord[]> => {
      const sent = await sendRecords({ apiUrl: local.runtime.apiUrl, token: local.token, source, records, batchSize: records.length });
      expect(sent.refused).toEqual([]);
      return sent.accepted;
    };

    // Hold validation's S3 write (MinIO stopped), wait until the runtime's request waits there, then stop Kafka so
    // that the commit after the write cannot happen, and let the write through.
    signalComponent('minio', 'SIGSTOP');
    let first: AcceptedRecord[];
    try {
      first = await send(sample.slice(0, 20));
      await waitUntilRuntimeWaitsOnStorage(local.runtime.pid, storagePort);
      signalComponent('kafka', 'SIGSTOP');
    } finally {
      signalComponent('minio', 'SIGCONT');
    }
    const kafkaPid = componentPid('kafka');
    try {
      await validated.waitFor(
        first.map((record) => record.eventId),
        60_000,
      );
      process.kill(-local.runtime.pid, 'SIGKILL');
      await waitUntilGone(local.runtime.pid);
    } finally {
      // The commit the runtime sent before it died waits, unread, in the paused broker's socket
      // buffer; resumed, the broker would still apply it. A broker killed now never reads it.
      signalComponent('kafka', 'SIGKILL');
      await waitUntilGone(kafkaPid);
      restartStack();
    }

    // The objects are written and the offsets are not committed: the crash fell between the two.
    const committed = await committedOffsets(validateGroup(source), topicOf(source));
    for (const record of first) {
      for (const { partition, offset } of validated.locationsOf(record.eventId)) expect(committed.get(partition) ?? -1n).toBeLessThanOrEqual(BigInt(offset));
    }

    // Producers do not wait for the consumer: more records arrive before it is back, so the
    // redelivered batch need not have the first delivery's boundaries.
    // Ingest runs in the runtime: a runtime without its Kafka bridge takes them.
    local.runtime = await startRuntime({ kafka: false });
    const second = await send(sample.slice(20));
    await local.runtime.stop();
    local.runtime = await startRuntime();
    const accepted = [...first, ...second];
    await validated.waitFor(
      accepted.map((record) => record.eventId),
      120_000,
    );
    await waitUntilSwept(300_000);

    // Two Spark processes side by side: each spends most of its time starting.
    const [result, duplicates] = await Promise.all([reconcile(accepted), duplicateRows(accepted)]);
    expect(result.totals).toMatchObject({ accepted: accepted.length, lost: 0, inBoth: 0 });
    expect(duplicates).toEqual([]);
  });
});
