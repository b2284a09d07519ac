import * as z from 'zod';

/**
 * The key that tokenises card numbers. In AWS the template resolves it from Secrets
 * Manager at deploy time; locally it comes from local-stack/env.json.
 */
export const cardTokenKeySettings = z.object({
  CARD_TOKEN_KEY: z.string().min(16, 'must be at least 16 characters (the card-token key)'),
});
