import { Admin } from '@platformatic/kafka';

/** A Kafka admin client for the length of `work`: topics and consumer groups, for the benchmarks and tests. */
export async function withAdmin<T>(brokers: string[], work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin({ clientId: 'ledgerflow-tools', bootstrapBrokers: brokers });
  try {
    return await work(admin);
  } finally {
    await admin.close();
  }
}

/** A topic of its own for a benchmark stage, emptied: deleted if it exists, then created. */
export async function recreateTopic(brokers: string[], topic: string, partitions: number): Promise<void> {
  await withAdmin(brokers, async (admin) => {
    if ((await admin.listTopics()).includes(topic)) {
      await admin.deleteTopics({ topics: [topic] });
      // Deletion is asynchronous in the broker; creating too early fails with "already exists".
      for (let attempt = 0; attempt < 50 && (await admin.listTopics()).includes(topic); attempt++) await new Promise((r) => setTimeout(r, 200));
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
        return;
      } catch (error) {
        if (attempt >= 20) throw error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  });
}

export async function deleteTopic(brokers: string[], topic: string): Promise<void> {
  await withAdmin(brokers, async (admin) => {
    if ((await admin.listTopics()).includes(topic)) await admin.deleteTopics({ topics: [topic] });
  });
}
