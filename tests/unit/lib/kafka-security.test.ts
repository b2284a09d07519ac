import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError, readConfig } from '#lib/config.ts';
import { KafkaCredentialsError, type KafkaConnectionOptions, kafkaConnectionOptions, kafkaSecuritySettings, scramSecretMaxAgeSeconds } from '#lib/kafka-security.ts';
import { mskIamToken } from '#lib/msk-iam-token.ts';

const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:KafkaScram-AbCdEf';
const secretsManager = mockClient(SecretsManagerClient);
const settings = (env: Record<string, string>) => readConfig(kafkaSecuritySettings, env);
const awsSecrets = () => new SecretsProvider({ clientConfig: { region: 'eu-west-1' } });

type ScramOptions = Extract<KafkaConnectionOptions['sasl'], { mechanism: 'SCRAM-SHA-512' }>;
const scram = (options: KafkaConnectionOptions) => options.sasl as ScramOptions;

describe('Kafka security settings', () => {
  it('defaults to plaintext and treats the empty values the template declares as unset', () => {
    expect(settings({ LOCAL_KAFKA_SCRAM_PASSWORD: '', KAFKA_CA_FILE: '' })).toMatchObject({ KAFKA_SECURITY: 'plaintext', LOCAL_KAFKA_SCRAM_PASSWORD: undefined, KAFKA_CA_FILE: undefined });
  });

  it('refuses an unknown mode, naming the variable', () => {
    expect(() => settings({ KAFKA_SECURITY: 'sasl-plain' })).toThrow(/KAFKA_SECURITY/);
  });
});

describe('Kafka connection options', () => {
  beforeEach(() => secretsManager.reset());

  it('adds neither TLS nor SASL for plaintext', () => {
    expect(kafkaConnectionOptions(settings({}))).toEqual({});
  });

  it('trusts the CA bundle named by KAFKA_CA_FILE for TLS', () => {
    const readCaFile = vi.fn(() => '-----BEGIN CERTIFICATE-----');

    const options = kafkaConnectionOptions(settings({ KAFKA_SECURITY: 'tls', KAFKA_CA_FILE: '/certs/ca.pem' }), { readCaFile });

    expect(options).toEqual({ tls: { ca: '-----BEGIN CERTIFICATE-----' } });
    expect(readCaFile).toHaveBeenCalledWith('/certs/ca.pem');
  });

  it('uses Node.js own CAs for TLS when no bundle is named', () => {
    expect(kafkaConnectionOptions(settings({ KAFKA_SECURITY: 'tls' }))).toEqual({ tls: {} });
  });

  it('authenticates with the local SCRAM user over TLS without calling Secrets Manager', async () => {
    const options = kafkaConnectionOptions(settings({ KAFKA_SECURITY: 'sasl-scram-sha-512', LOCAL_KAFKA_SCRAM_USERNAME: 'ledgerflow', LOCAL_KAFKA_SCRAM_PASSWORD: 'local-secret' }));

    expect(options.tls).toEqual({});
    expect(scram(options).mechanism).toBe('SCRAM-SHA-512');
    expect([await scram(options).username(), await scram(options).password()]).toEqual(['ledgerflow', 'local-secret']);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('reads the SCRAM user and password from the secret, cached for the max age', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: secretArn }).resolves({ SecretString: '{"username":"producer","password":"from-the-secret"}' });
    const get = vi.spyOn(SecretsProvider.prototype, 'get');
    const options = kafkaConnectionOptions(settings({ KAFKA_SECURITY: 'sasl-scram-sha-512', KAFKA_SCRAM_SECRET: secretArn }), { secrets: awsSecrets() });

    expect([await scram(options).username(), await scram(options).password()]).toEqual(['producer', 'from-the-secret']);
    expect(get).toHaveBeenCalledWith(secretArn, { maxAge: scramSecretMaxAgeSeconds, transform: 'json' });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    get.mockRestore();
  });

  it('names the secret when it does not hold a username and a password', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '{"user":"producer"}' });
    const options = kafkaConnectionOptions(settings({ KAFKA_SECURITY: 'sasl-scram-sha-512', KAFKA_SCRAM_SECRET: secretArn }), { secrets: awsSecrets() });

    const failure = scram(options).password();

    await expect(failure).rejects.toThrow(KafkaCredentialsError);
    await expect(failure).rejects.toThrow(secretArn);
  });

  it('fails at load when SCRAM has neither a secret nor a local user', () => {
    expect(() => kafkaConnectionOptions(settings({ KAFKA_SECURITY: 'sasl-scram-sha-512' }))).toThrow(ConfigurationError);
    expect(() => kafkaConnectionOptions(settings({ KAFKA_SECURITY: 'sasl-scram-sha-512' }))).toThrow(/KAFKA_SCRAM_SECRET/);
  });

  it('authenticates to MSK with OAUTHBEARER and an IAM token for the function region', async () => {
    const mskIamTokens = vi.fn((region: string) => async () => `token-for-${region}`);

    const options = kafkaConnectionOptions(settings({ KAFKA_SECURITY: 'aws-msk-iam', AWS_REGION: 'eu-west-1' }), { mskIamTokens });

    expect(options.tls).toEqual({});
    expect(options.sasl?.mechanism).toBe('OAUTHBEARER');
    expect(options.sasl?.mechanism === 'OAUTHBEARER' && (await options.sasl.token())).toBe('token-for-eu-west-1');
  });

  it('fails at load when IAM has no region', () => {
    expect(() => kafkaConnectionOptions(settings({ KAFKA_SECURITY: 'aws-msk-iam' }))).toThrow(/AWS_REGION/);
  });
});

describe('MSK IAM token', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' };
  const decode = (token: string) => new URL(Buffer.from(token, 'base64url').toString('utf8'));
  beforeEach(() => vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-03-02T10:20:30Z') }));
  afterEach(() => vi.useRealTimers());

  it('is the token aws-msk-iam-sasl-signer-js signs for the same credentials and time, but for the user agent', async () => {
    const ours = decode(await mskIamToken('eu-west-1', credentials));
    const theirs = decode((await generateAuthTokenFromCredentialsProvider({ region: 'eu-west-1', awsCredentialsProvider: async () => credentials })).token);

    for (const url of [ours, theirs]) url.searchParams.delete('User-Agent');
    expect(ours.href).toBe(theirs.href);
    expect(ours.host).toBe('kafka.eu-west-1.amazonaws.com');
    expect(ours.searchParams.get('Action')).toBe('kafka-cluster:Connect');
    expect(ours.searchParams.get('X-Amz-Expires')).toBe('900');
  });

  it('expires no later than the credentials it is signed with', async () => {
    const expiration = new Date(Date.now() + 120_000);

    const url = decode(await mskIamToken('eu-west-1', { ...credentials, expiration }));

    expect(url.searchParams.get('X-Amz-Expires')).toBe('120');
  });
});
