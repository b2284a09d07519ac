import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod';
import { ConfigurationError } from './config.ts';
import { mskIamTokenProvider } from './msk-iam-token.ts';

/**
 * How the producers reach Kafka, chosen by KAFKA_SECURITY:
 * - `plaintext`: no TLS, no authentication (the local broker);
 * - `tls`: TLS, no authentication (MSK's unauthenticated TLS listener, port 9094);
 * - `sasl-scram-sha-512`: SCRAM-SHA-512 over TLS (self-managed clusters; MSK port 9096);
 * - `aws-msk-iam`: SASL/OAUTHBEARER with a token from the AWS MSK IAM signer (MSK port 9098).
 */
export const kafkaSecurityModes = ['plaintext', 'tls', 'sasl-scram-sha-512', 'aws-msk-iam'] as const;
export type KafkaSecurityMode = (typeof kafkaSecurityModes)[number];

/** The template declares the optional variables empty: empty means unset. */
const optionalText = z.string().transform((value) => value || undefined).optional();

export const kafkaSecuritySettings = z.object({
  KAFKA_SECURITY: z.enum(kafkaSecurityModes).default('plaintext'),
  /**
   * Secrets Manager secret holding `{"username": ..., "password": ...}`: the format the
   * event source mappings' SASL_SCRAM_512_AUTH reads, so one secret serves both directions.
   */
  KAFKA_SCRAM_SECRET: optionalText,
  /** The SCRAM user and password themselves, for local runs only (like LOCAL_CARD_TOKEN_KEY). */
  LOCAL_KAFKA_SCRAM_USERNAME: optionalText,
  LOCAL_KAFKA_SCRAM_PASSWORD: optionalText,
  /** A PEM bundle of the CAs the brokers' certificates chain to; empty means Node.js's own CAs (enough for MSK). */
  KAFKA_CA_FILE: optionalText,
  /** Set by Lambda; the region IAM tokens are signed for. */
  AWS_REGION: optionalText,
});

export type KafkaSecuritySettings = z.output<typeof kafkaSecuritySettings>;

/** A credential, read when a connection authenticates (each new connection and each re-authentication). */
type Provider = () => Promise<string>;

/** The options @platformatic/kafka clients take for TLS and SASL (its `tls` and `sasl` connection options). */
export interface KafkaConnectionOptions {
  tls?: TlsOptions;
  sasl?: { mechanism: 'SCRAM-SHA-512'; username: Provider; password: Provider } | { mechanism: 'OAUTHBEARER'; token: Provider };
}

/** How long an instance keeps the SCRAM credentials: a rotated password is in use within this time. */
export const scramSecretMaxAgeSeconds = 300;

const scramCredentials = z.object({ username: z.string().min(1), password: z.string().min(1) });
type ScramCredentials = z.output<typeof scramCredentials>;

export class KafkaCredentialsError extends Error {
  override name = 'KafkaCredentialsError';
}

export interface KafkaSecurityDependencies {
  secrets: Pick<SecretsProvider, 'get'>;
  readCaFile: (path: string) => string;
  /** Fresh MSK IAM tokens for the region (msk-iam-token.ts). */
  mskIamTokens: (region: string) => () => Promise<string>;
}

/**
 * The TLS and SASL options of the producer for the configured mode, built once per
 * instance; credentials and tokens are read lazily, when a connection authenticates.
 * Throws a ConfigurationError at load when the mode lacks what it needs.
 */
export function kafkaConnectionOptions(settings: KafkaSecuritySettings, dependencies: Partial<KafkaSecurityDependencies> = {}): KafkaConnectionOptions {
  const { readCaFile = (path: string) => readFileSync(path, 'utf8'), mskIamTokens = mskIamTokenProvider } = dependencies;
  const mode = settings.KAFKA_SECURITY;
  if (mode === 'plaintext') return {};
  const tls: TlsOptions = settings.KAFKA_CA_FILE ? { ca: readCaFile(settings.KAFKA_CA_FILE) } : {};
  if (mode === 'tls') return { tls };
  if (mode === 'aws-msk-iam') {
    const region = settings.AWS_REGION;
    if (!region) throw new ConfigurationError('invalid environment: AWS_REGION: required with KAFKA_SECURITY=aws-msk-iam');
    return { tls, sasl: { mechanism: 'OAUTHBEARER', token: mskIamTokens(region) } };
  }
  const credentials = scramCredentialsReader(settings, dependencies.secrets);
  return {
    tls,
    sasl: {
      mechanism: 'SCRAM-SHA-512',
      username: async () => (await credentials()).username,
      password: async () => (await credentials()).password,
    },
  };
}

/** The local user and password when both are set, otherwise the secret through Powertools Parameters (cached). */
function scramCredentialsReader(settings: KafkaSecuritySettings, secrets: Pick<SecretsProvider, 'get'> = new SecretsProvider()): () => Promise<ScramCredentials> {
  const { LOCAL_KAFKA_SCRAM_USERNAME: username, LOCAL_KAFKA_SCRAM_PASSWORD: password } = settings;
  if (username && password) return async () => ({ username, password });
  const secretId = settings.KAFKA_SCRAM_SECRET;
  if (!secretId) {
    throw new ConfigurationError('invalid environment: KAFKA_SCRAM_SECRET: required with KAFKA_SECURITY=sasl-scram-sha-512 (LOCAL_KAFKA_SCRAM_USERNAME and LOCAL_KAFKA_SCRAM_PASSWORD in local runs)');
  }
  return async () => {
    const value = await secrets.get(secretId, { maxAge: scramSecretMaxAgeSeconds, transform: 'json' });
    const parsed = scramCredentials.safeParse(value);
    if (!parsed.success) throw new KafkaCredentialsError(`secret ${secretId} does not hold {"username", "password"} for SCRAM`);
    return parsed.data;
  };
}
