import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod';
import { ConfigurationError } from './config.ts';

/**
 * How long an instance keeps the key before reading the secret again: a rotated key is in
 * use everywhere within this time, with no redeploy.
 */
export const cardTokenKeyMaxAgeSeconds = 300;

const minimumKeyLength = 16;

/**
 * Where the key that tokenises card numbers comes from. In AWS, CARD_TOKEN_KEY_SECRET names
 * the Secrets Manager secret, read at run time, so no key is in the function's configuration.
 * LOCAL_CARD_TOKEN_KEY is the key itself, for local runs only: the template declares it empty,
 * so that local-stack/env.json can set it (`sam local` and the Docker-free runtime set only
 * declared variables).
 */
export const cardTokenKeySettings = z.object({
  CARD_TOKEN_KEY_SECRET: z.string().min(1).optional(),
  LOCAL_CARD_TOKEN_KEY: z.union([z.literal(''), z.string().min(minimumKeyLength, `must be at least ${minimumKeyLength} characters (the card-token key)`)]).optional(),
});

export type CardTokenKeySettings = z.output<typeof cardTokenKeySettings>;

/** This invocation's card-token key. */
export type ReadCardTokenKey = () => Promise<string>;

export class CardTokenKeyError extends Error {
  override name = 'CardTokenKeyError';
}

/**
 * The one way a function gets its card-token key, called once per invocation: the local
 * value when there is one, otherwise the secret through Powertools Parameters, cached for
 * `cardTokenKeyMaxAgeSeconds`. Throws a ConfigurationError at load when neither is set.
 */
export function cardTokenKeyReader(settings: CardTokenKeySettings, secrets: Pick<SecretsProvider, 'get'> = new SecretsProvider()): ReadCardTokenKey {
  const localKey = settings.LOCAL_CARD_TOKEN_KEY;
  if (localKey) return async () => localKey;
  const secretId = settings.CARD_TOKEN_KEY_SECRET;
  if (!secretId) throw new ConfigurationError('invalid environment: CARD_TOKEN_KEY_SECRET: required (LOCAL_CARD_TOKEN_KEY in local runs)');
  return async () => {
    const key = await secrets.get(secretId, { maxAge: cardTokenKeyMaxAgeSeconds });
    if (typeof key !== 'string' || key.length < minimumKeyLength) {
      throw new CardTokenKeyError(`secret ${secretId} does not hold a card-token key of at least ${minimumKeyLength} characters`);
    }
    return key;
  };
}
