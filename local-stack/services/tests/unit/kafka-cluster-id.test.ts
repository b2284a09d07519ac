import { describe, expect, it } from 'vitest';
import { newClusterId } from '../../components/kafka.ts';

describe('Kafka cluster id', () => {
  it('is 16 bytes in base64url and never starts with "-", which kafka-storage would read as an option', () => {
    // One id in 64 would start with "-" if drawn blindly: 5,000 draws meet that case about 78 times.
    const ids = Array.from({ length: 5_000 }, newClusterId);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
