import { withAdmin } from '../../tools/pipeline/kafka-admin.ts';
import { topicForSource } from '#lib/topics.ts';
import { stackSettings } from '../../local-stack/stack.config.ts';

/** The validate mapping's consumer group of a source: template.yaml's ConsumerGroupId at the default Stage (dev). */
export const validateGroup = (source: string) => `ledgerflow-dev-validate-${source}`;
export const topicOf = (source: string) => topicForSource(stackSettings.topicPrefix, source);


/** Committed offset (the next one to read) per partition; -1 where the group has none. */
export function committedOffsets(groupId: string, topic: string): Promise<Map<number, bigint>> {
  return withAdmin(stackSettings.kafkaBrokers, async (admin) => {
    const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] });
    const partitions = group?.topics.find((entry) => entry.name === topic)?.partitions ?? [];
    return new Map(partitions.map((partition) => [partition.partitionIndex, partition.committedOffset]));
  });
}

/** The next offset each partition will write (its end). */
export function endOffsets(topic: string, partitions: number[]): Promise<Map<number, bigint>> {
  return withAdmin(stackSettings.kafkaBrokers, async (admin) => {
    // Timestamp -1 asks for the latest offset.
    const [listed] = await admin.listOffsets({ topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp: -1n })) }] });
    return new Map((listed?.partitions ?? []).map((partition) => [partition.partitionIndex, partition.offset]));
  });
}

/** Sets a group's committed offsets (the group must have no members), as `kafka-consumer-groups --reset-offsets` does. */
export function resetOffsets(groupId: string, topic: string, offsets: Map<number, bigint>): Promise<void> {
  return withAdmin(stackSettings.kafkaBrokers, (admin) =>
    admin.alterConsumerGroupOffsets({ groupId, topics: [{ name: topic, partitionOffsets: [...offsets].map(([partition, offset]) => ({ partition, offset })) }] }),
  );
}

/** Waits until the group has committed up to the end of every partition given. */
export async function waitUntilCommitted(groupId: string, topic: string, ends: Map<number, bigint>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const committed = await committedOffsets(groupId, topic).catch(() => new Map<number, bigint>());
    if ([...ends].every(([partition, end]) => (committed.get(partition) ?? -1n) >= end)) return;
    if (Date.now() > deadline) throw new Error(`${groupId} did not commit up to ${[...ends].map(([p, o]) => `${p}@${o}`).join(', ')} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
