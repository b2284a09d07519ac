import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Admin } from '@platformatic/kafka';
import { type Health, healthy, installMarker, type Installable, type Service, unhealthy } from '../component.ts';
import { type Artifact, copyJars } from '../maven.ts';
import { pidFile, startDetached } from '../processes.ts';
import { runLogged, say } from '../progress.ts';
import { loopback, type StackSettings } from '../settings.ts';
import { type BrokerKeystore, ensureBrokerKeystore, ensureScramUser, saslTlsListener } from './kafka-sasl-tls.ts';

/**
 * Apache Kafka as one KRaft node (broker and controller in one JVM), from the server
 * jars on Maven Central, run with the machine's Java.
 */

export const kafkaVersion = '4.1.2';
/** Kafka logs through SLF4J 1.x; this binding sends it to the log4j2 that Kafka already depends on. */
const log4jVersion = '2.25.3';

const artifacts: Artifact[] = [
  { groupId: 'org.apache.kafka', artifactId: 'kafka_2.13', version: kafkaVersion },
  { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-slf4j-impl', version: log4jVersion },
];
const fingerprint = `kafka ${kafkaVersion} log4j ${log4jVersion}`;

const java = () => (process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin/java') : 'java');

export function kafkaInstall(settings: StackSettings): Installable {
  const home = settings.paths.kafka;
  return {
    name: 'kafka',
    isInstalled: () => installMarker.matches(home, fingerprint),
    async install() {
      await copyJars(settings, {
        name: 'kafka',
        artifacts,
        into: join(home, 'libs'),
        transitive: true,
        logFile: join(settings.paths.logs, 'install-kafka.log'),
      });
      installMarker.write(home, fingerprint);
    },
  };
}

export function kafkaService(settings: StackSettings): Service {
  const home = settings.paths.kafka;
  const dataDir = join(settings.paths.data, 'kafka');
  const logFile = join(settings.paths.logs, 'kafka.log');
  // Beside the data, not in the install: a test stack's install is a link to another stack's.
  const configDir = join(settings.paths.data, 'kafka-config');
  const serverProperties = join(configDir, 'server.properties');
  const log4jProperties = join(configDir, 'log4j2.properties');
  const classpathArgs = [`-Dlog4j2.configurationFile=${log4jProperties}`, '-cp', `${join(home, 'libs')}/*`];

  const withAdmin = async <T>(work: (admin: Admin) => Promise<T>): Promise<T> => {
    const admin = new Admin({ clientId: `${settings.definition.name}-stack`, bootstrapBrokers: settings.kafkaBrokers, retries: 0, timeout: 5_000 });
    try {
      return await work(admin);
    } finally {
      await admin.close().catch(() => undefined);
    }
  };

  return {
    name: 'kafka',
    ports: [settings.kafkaPort, settings.kafkaControllerPort, ...(settings.kafkaSaslTls ? [settings.kafkaSaslTls.port] : [])],
    logFile,
    pidFile: pidFile(settings.paths.pids, 'kafka'),
    startTimeoutMs: 90_000,
    isEnabled: () => true,

    async start() {
      const keystore = settings.kafkaSaslTls && (await ensureBrokerKeystore(settings.paths.kafkaTls, logFile));
      writeConfiguration(settings, { serverProperties, log4jProperties, dataDir, keystore });
      if (!existsSync(join(dataDir, 'meta.properties'))) {
        // KRaft needs its log directory formatted with a cluster id once, before the first start.
        await runLogged('format the Kafka log directory', java(), [
          ...classpathArgs,
          'kafka.tools.StorageTool',
          'format',
          '--cluster-id',
          newClusterId(),
          '--config',
          serverProperties,
        ], { cwd: home, logFile });
      }
      return startDetached({
        executable: java(),
        args: ['-Xms256m', '-Xmx512m', '-XX:+UseG1GC', '-Djava.awt.headless=true', ...classpathArgs, 'kafka.Kafka', serverProperties],
        cwd: home,
        env: process.env,
        logFile,
        pidFile: pidFile(settings.paths.pids, 'kafka'),
      });
    },

    isAnswering: () => withAdmin(async (admin) => (await admin.metadata({})).brokers.size > 0).catch(() => false),

    async provision() {
      if (settings.kafkaSaslTls) {
        const broker = `${loopback}:${settings.kafkaPort}`;
        await ensureScramUser({ saslTls: settings.kafkaSaslTls, dir: settings.paths.kafkaTls, plaintextBroker: broker, classpathArgs, logFile });
      }
      await withAdmin(async (admin) => {
        const existing = new Set(await admin.listTopics());
        const missing = settings.topics.filter((topic) => !existing.has(topic));
        if (missing.length === 0) return;
        await admin.createTopics({ topics: missing, partitions: settings.kafkaPartitions, replicas: 1 });
        say(`    created topics ${missing.join(', ')} (${settings.kafkaPartitions} partitions each)`);
      });
    },

    async health(): Promise<Health> {
      try {
        const topics = new Set(await withAdmin((admin) => admin.listTopics()));
        const missing = settings.topics.filter((topic) => !topics.has(topic));
        return missing.length === 0 ? healthy(`topics ${settings.topics.join(', ')}`) : unhealthy(`missing topics ${missing.join(', ')}`);
      } catch (error) {
        return unhealthy(`no metadata answer on ${settings.kafkaBrokers.join(',')} (${(error as Error).message})`);
      }
    },
  };
}

/**
 * A KRaft cluster id: 16 random bytes, base64url, as Kafka's own Uuid.randomUuid makes them,
 * and like it never starting with "-", which the storage tool's argument parser would take for an option.
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function writeConfiguration(
  settings: StackSettings,
  files: { serverProperties: string; log4jProperties: string; dataDir: string; keystore?: BrokerKeystore },
): void {
  mkdirSync(join(files.serverProperties, '..'), { recursive: true });
  const broker = `${loopback}:${settings.kafkaPort}`;
  const controller = `${loopback}:${settings.kafkaControllerPort}`;
  const saslTls = settings.kafkaSaslTls && files.keystore && saslTlsListener(settings.kafkaSaslTls, files.keystore);
  // One node, so every internal topic has one replica; topics are created on purpose, never by a typo.
  writeFileSync(
    files.serverProperties,
    `# Generated by @ledgerflow/local-services on each start, from the stack settings.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${controller}
listeners=PLAINTEXT://${broker},CONTROLLER://${controller}${saslTls ? `,${saslTls.listener}` : ''}
advertised.listeners=PLAINTEXT://${broker}${saslTls ? `,${saslTls.listener}` : ''}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL
${saslTls ? saslTls.properties : ''}log.dirs=${files.dataDir}
num.partitions=${settings.kafkaPartitions}
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
`,
  );
  writeFileSync(
    files.log4jProperties,
    `# Generated by @ledgerflow/local-services: everything to standard output, which goes to the component's log file.
rootLogger.level=INFO
rootLogger.appenderRef.stdout.ref=STDOUT
appender.stdout.type=Console
appender.stdout.name=STDOUT
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
logger.kafka.name=kafka
logger.kafka.level=INFO
logger.state.name=state.change.logger
logger.state.level=WARN
`,
  );
}
