import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLogged } from '../progress.ts';
import { loopback, type KafkaSaslTlsSettings } from '../settings.ts';

/**
 * The broker's SASL_SSL listener (definition kafka.saslTls): a throwaway CA and a broker
 * certificate made with Java's keytool (it comes with the Java that runs Kafka), and the
 * SCRAM-SHA-512 user, created through the plaintext listener with Kafka's ConfigCommand.
 * Passwords never appear in a logged command line.
 */

const mechanism = 'SCRAM-SHA-512';

const javaTool = (name: string) => (process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', name) : name);

export interface BrokerKeystore {
  keystore: string;
  passwordFile: string;
  caFile: string;
}

const keystoreFiles = (dir: string): BrokerKeystore => ({
  keystore: join(dir, 'broker.p12'),
  passwordFile: join(dir, 'keystore-password'),
  caFile: join(dir, 'ca.pem'),
});

/** Made once per state folder; a later start reuses it, so clients keep trusting the same CA. */
export async function ensureBrokerKeystore(dir: string, logFile: string): Promise<BrokerKeystore> {
  const files = keystoreFiles(dir);
  if ([files.keystore, files.passwordFile, files.caFile].every((file) => existsSync(file))) return files;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(files.passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const caStore = join(dir, 'ca.p12');
  const request = join(dir, 'broker.csr');
  const certificate = join(dir, 'broker.pem');
  const keytool = (what: string, args: string[]) =>
    runLogged(what, javaTool('keytool'), [...args, '-storetype', 'PKCS12', '-storepass:file', files.passwordFile, '-noprompt'], { cwd: dir, logFile });
  const keyPair = ['-genkeypair', '-keyalg', 'RSA', '-keysize', '2048', '-validity', '3650'];
  await keytool('make the local Kafka CA', [...keyPair, '-alias', 'ca', '-dname', 'CN=ledgerflow local Kafka CA', '-ext', 'bc:c', '-keystore', caStore]);
  await keytool('export the CA certificate', ['-exportcert', '-rfc', '-alias', 'ca', '-keystore', caStore, '-file', files.caFile]);
  await keytool('make the broker key', [...keyPair, '-alias', 'broker', '-dname', `CN=${loopback}`, '-keystore', files.keystore]);
  await keytool('request the broker certificate', ['-certreq', '-alias', 'broker', '-keystore', files.keystore, '-file', request]);
  await keytool('sign the broker certificate', [
    '-gencert', '-rfc', '-alias', 'ca', '-keystore', caStore, '-infile', request, '-outfile', certificate,
    '-validity', '3650', '-ext', `san=ip:${loopback},dns:localhost`, '-ext', 'eku=serverAuth',
  ]);
  await keytool('trust the CA in the broker keystore', ['-importcert', '-alias', 'ca', '-keystore', files.keystore, '-file', files.caFile]);
  await keytool('install the broker certificate', ['-importcert', '-alias', 'broker', '-keystore', files.keystore, '-file', certificate]);
  return files;
}

/** The listener named SASL_SSL (for `listeners` and `advertised.listeners`) and its server.properties lines. */
export function saslTlsListener(saslTls: KafkaSaslTlsSettings, keystore: BrokerKeystore): { listener: string; properties: string } {
  const password = readFileSync(keystore.passwordFile, 'utf8');
  const listener = `SASL_SSL://${loopback}:${saslTls.port}`;
  const properties = `sasl.enabled.mechanisms=${mechanism}
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.ssl.keystore.type=PKCS12
listener.name.sasl_ssl.ssl.keystore.location=${keystore.keystore}
listener.name.sasl_ssl.ssl.keystore.password=${password}
listener.name.sasl_ssl.ssl.key.password=${password}
`;
  return { listener, properties };
}

/**
 * Creates or updates the SCRAM user when the definition's user or password changed since
 * the last time (a record of both, hashed, beside the keystore), through the plaintext listener.
 */
export async function ensureScramUser(options: { saslTls: KafkaSaslTlsSettings; dir: string; plaintextBroker: string; classpathArgs: string[]; logFile: string }): Promise<void> {
  const { saslTls, dir } = options;
  const record = join(dir, 'scram-user');
  const fingerprint = `${saslTls.user} ${createHash('sha256').update(saslTls.password).digest('hex')}`;
  if (existsSync(record) && readFileSync(record, 'utf8') === fingerprint) return;
  // ConfigCommand's --add-config-file cannot carry SCRAM credentials (Kafka 4.1 refuses them):
  // the shell puts the password into the argument, so the logged command line does not show it.
  const command = [javaTool('java'), ...options.classpathArgs, 'kafka.admin.ConfigCommand', '--bootstrap-server', options.plaintextBroker];
  await runLogged(`create the Kafka SCRAM user ${saslTls.user}`, 'sh', [
    '-c',
    `exec "$@" --alter --entity-type users --entity-name "$SCRAM_USER" --add-config "${mechanism}=[iterations=8192,password=$SCRAM_PASSWORD]"`,
    'sh',
    ...command,
  ], { cwd: dir, env: { ...process.env, SCRAM_USER: saslTls.user, SCRAM_PASSWORD: saslTls.password }, logFile: options.logFile });
  writeFileSync(record, fingerprint, { mode: 0o600 });
}
