import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cardTokenKeyMaxAgeSeconds, cardTokenKeyReader, cardTokenKeySettings } from '#lib/card-token-key.ts';
import { ConfigurationError, readConfig } from '#lib/config.ts';

const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:CardTokenKeySecret-AbCdEf';
const firstKey = 'first-card-token-key-0123456789';
const rotatedKey = 'rotated-card-token-key-0123456789';
const secretsManager = mockClient(SecretsManagerClient);

/** A reader over a fresh provider, as each Lambda instance has its own cache. */
const awsReader = () => cardTokenKeyReader({ CARD_TOKEN_KEY_SECRET: secretArn, LOCAL_CARD_TOKEN_KEY: '' }, new SecretsProvider({ clientConfig: { region: 'eu-west-1' } }));

describe('card-token key', () => {
  beforeEach(() => {
    secretsManager.reset();
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => vi.useRealTimers());

  it('uses the local value when one is set, without calling Secrets Manager', async () => {
    const read = cardTokenKeyReader({ CARD_TOKEN_KEY_SECRET: 'CardTokenKeySecret', LOCAL_CARD_TOKEN_KEY: firstKey });

    expect(await read()).toBe(firstKey);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('reads the secret named by CARD_TOKEN_KEY_SECRET from Secrets Manager', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: secretArn }).resolves({ SecretString: firstKey });

    expect(await awsReader()()).toBe(firstKey);
    expect(secretsManager.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input.SecretId)).toEqual([secretArn]);
  });

  it('answers later invocations from its cache until the max age has passed', async () => {
    secretsManager.on(GetSecretValueCommand).resolvesOnce({ SecretString: firstKey }).resolves({ SecretString: rotatedKey });
    const read = awsReader();

    const keys = [await read()];
    vi.advanceTimersByTime((cardTokenKeyMaxAgeSeconds - 1) * 1000);
    keys.push(await read());

    expect(keys).toEqual([firstKey, firstKey]);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('reads the secret again after the max age, so a rotated key is used without a redeploy', async () => {
    secretsManager.on(GetSecretValueCommand).resolvesOnce({ SecretString: firstKey }).resolves({ SecretString: rotatedKey });
    const read = awsReader();

    const before = await read();
    vi.advanceTimersByTime((cardTokenKeyMaxAgeSeconds + 1) * 1000);
    const after = await read();

    expect([before, after]).toEqual([firstKey, rotatedKey]);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('refuses a secret that does not hold a key of at least 16 characters', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'short' });

    await expect(awsReader()()).rejects.toMatchObject({ name: 'CardTokenKeyError', message: expect.stringContaining(secretArn) });
  });

  it('fails the invocation when Secrets Manager cannot be read', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(new Error('AccessDeniedException'));

    await expect(awsReader()()).rejects.toThrow();
  });

  it('stops the function at load when neither the secret nor a local value is configured', () => {
    expect(() => cardTokenKeyReader({ LOCAL_CARD_TOKEN_KEY: '' })).toThrow(ConfigurationError);
  });

  it('checks a local value at load: empty means unset, a short one is refused by name', () => {
    expect(readConfig(cardTokenKeySettings, { CARD_TOKEN_KEY_SECRET: secretArn, LOCAL_CARD_TOKEN_KEY: '' })).toEqual({ CARD_TOKEN_KEY_SECRET: secretArn, LOCAL_CARD_TOKEN_KEY: '' });
    expect(() => readConfig(cardTokenKeySettings, { LOCAL_CARD_TOKEN_KEY: 'short' })).toThrow(/LOCAL_CARD_TOKEN_KEY/);
  });
});
