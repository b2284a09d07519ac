import { createHash, randomUUID } from 'node:crypto';
import { containsCardNumber } from '#contracts/card-data.ts';

/**
 * Ids and trace ids the platform makes never read as a card number: one hex id in a few
 * thousand holds a Luhn-valid run of digits with a card prefix ("…d229-4529-9921-55aa…"),
 * which every card scan of the lake and the topics would report. Such an id is made again.
 */
function clean(make: (attempt: number) => string): string {
  for (let attempt = 0; ; attempt++) {
    const id = make(attempt);
    if (!containsCardNumber(id)) return id;
  }
}

function formatUuid(bytes: Buffer): string {
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A UUID derived from its parts (RFC 9562 version 8): the same parts always give the
 * same id, so a retried request or a re-read file yields the ids it had the first time.
 */
export function deterministicUuid(...parts: string[]): string {
  return clean((attempt) => {
    const input = attempt === 0 ? parts.join('\n') : `${parts.join('\n')}\n#${attempt}`;
    return formatUuid(createHash('sha256').update(input).digest().subarray(0, 16));
  });
}

/** A random UUID (version 4) that does not read as a card number. */
export const randomId = () => clean(() => randomUUID());

const randomHex = (length: number) => `${randomUUID()}${randomUUID()}`.replaceAll('-', '').slice(0, length);

/** A new W3C trace context (sampled) that does not read as a card number. */
export const randomTraceparent = () => clean(() => `00-${randomHex(32)}-${randomHex(16)}-01`);
