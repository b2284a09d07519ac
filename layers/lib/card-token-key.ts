import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { z } from 'zod';
import { ConfigurationError } from './config.ts';

export const cardTokenKeySettings = z.object({
  CARD_TOKEN_KEY: z.string().optional(),
  CARD_TOKEN_KEY_PARAMETER: z.string().optional(),
});

/**
 * The key that tokenises card numbers: inline for local runs (CARD_TOKEN_KEY), an SSM
 * SecureString in AWS (CARD_TOKEN_KEY_PARAMETER), read once at start-up.
 */
export async function loadCardTokenKey(settings: z.output<typeof cardTokenKeySettings>): Promise<string> {
  const key = settings.CARD_TOKEN_KEY || (settings.CARD_TOKEN_KEY_PARAMETER && (await getParameter(settings.CARD_TOKEN_KEY_PARAMETER, { decrypt: true })));
  if (!key || key.length < 16) {
    throw new ConfigurationError('card token key missing or shorter than 16 characters: set CARD_TOKEN_KEY or CARD_TOKEN_KEY_PARAMETER');
  }
  return key;
}
