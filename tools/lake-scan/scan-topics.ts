import { randomUUID } from 'node:crypto';
import { Admin, Consumer, type Message } from '@platformatic/kafka';
import { type Finding, findingsInLine, findingsInText } from './findings.ts';
import type { ScanReport } from './scan-bucket.ts';

export interface TopicScanOptions {
  brokers: string[];
  topics: string[];
  onFinding: (finding: Finding) => void;
  onProgress: (scanned: number, total: number) => void;
  /** Reading stops when no message came for this long before every partition was read to its end. */
  idleMs?: number;
}

/** Every message's key, value and headers, from the first offset to the end each partition had when the scan began. */
export async function scanTopics(options: TopicScanOptions): Promise<ScanReport> {
  const report: ScanReport = { scanned: 0, findings: [], unreadable: [] };
  await readTopics(options, (message) => {
    const location = `topic ${message.topic} partition ${message.partition} offset ${message.offset}`;
    const findings = [
      ...(message.key ? findingsInText(message.key.toString('utf8'), `${location} key`) : []),
      ...(message.value ? findingsInLine(message.value.toString('utf8'), `${location} value`) : []),
      ...[...message.headers].flatMap(([name, value]) => findingsInText(`${name}: ${value}`, `${location} header ${name}`)),
    ];
    for (const finding of findings) {
      report.findings.push(finding);
      options.onFinding(finding);
    }
    report.scanned += 1;
  }).then((unread) => report.unreadable.push(...unread));
  return report;
}

/**
 * Reads the topics from their first offsets with a consumer group of its own (nothing is
 * committed), up to the end offsets listed first. Returns the partitions it could not
 * read to the end within the idle time, if any.
 */
export async function readTopics(options: TopicScanOptions, onMessage: (message: Message) => void): Promise<string[]> {
  const existing = new Set(await listTopics(options.brokers));
  const consumer = new Consumer({ groupId: `lake-scan-${randomUUID()}`, clientId: 'lake-scan', bootstrapBrokers: options.brokers, retries: 2, timeout: 10_000 });
  try {
    const missing = options.topics.filter((topic) => !existing.has(topic));
    const topics = options.topics.filter((topic) => existing.has(topic));
    // Partition -> end offset, for partitions that hold messages; `total` is for progress only.
    const remaining = new Map<string, bigint>();
    let total = 0n;
    if (topics.length > 0) {
      const firsts = await consumer.listOffsets({ topics, timestamp: -2n });
      for (const [topic, ends] of await consumer.listOffsets({ topics })) {
        for (const [partition, end] of ends.entries()) {
          const first = firsts.get(topic)?.[partition] ?? 0n;
          if (end > first) remaining.set(`${topic}/${partition}`, end);
          total += end - first;
        }
      }
    }
    const unread = missing.map((topic) => `topic ${topic}: does not exist`);
    if (remaining.size === 0) return unread;
    const stream = await consumer.consume({ topics, mode: 'earliest', autocommit: false, maxWaitTime: 500 });
    let read = 0;
    await new Promise<void>((resolve, reject) => {
      let idle: NodeJS.Timeout;
      const restartIdle = () => {
        clearTimeout(idle);
        idle = setTimeout(resolve, options.idleMs ?? 30_000);
      };
      restartIdle();
      stream.on('data', (message: Message) => {
        onMessage(message);
        options.onProgress(++read, Number(total));
        restartIdle();
        const partition = `${message.topic}/${message.partition}`;
        const end = remaining.get(partition);
        if (end !== undefined && message.offset + 1n >= end) remaining.delete(partition);
        if (remaining.size === 0) {
          clearTimeout(idle);
          resolve();
        }
      });
      stream.on('error', (error: Error) => {
        clearTimeout(idle);
        reject(error);
      });
    });
    await stream.close();
    return [...unread, ...[...remaining].map(([partition, end]) => `topic ${partition}: not read to its end offset ${end}`)];
  } finally {
    await consumer.close(true);
  }
}

async function listTopics(brokers: string[]): Promise<string[]> {
  const admin = new Admin({ clientId: 'lake-scan', bootstrapBrokers: brokers, retries: 2, timeout: 10_000 });
  try {
    return await admin.listTopics();
  } finally {
    await admin.close();
  }
}
