import { UnsupportedCompressionError } from '@platformatic/kafka';
import { crc32c as wasmCrc32c } from '@platformatic/wasm-utils';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript, aliased in function bundles only (template.yaml)
import { LRUCache } from '#lib/kafka-mnemonist.js';
// @ts-expect-error: plain JavaScript, aliased in function bundles only (template.yaml)
import { crc32c, lz4Compress, snappyCompress } from '#lib/kafka-wasm-utils.js';

describe('the Kafka client\'s dependencies as function bundles alias them', () => {
  it('computes the same CRC32C as the package\'s WebAssembly, at every length and offset', () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24));
    for (const length of [0, 1, 3, 15, 16, 17, 31, 32, 33, 100, 1000, 4093]) {
      const slice = bytes.subarray(3, 3 + length);
      expect(crc32c(slice)).toBe(wasmCrc32c(slice));
      expect(crc32c(new Uint8Array(slice))).toBe(wasmCrc32c(slice));
    }
    // The standard check value of CRC-32C.
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('reads a DynamicBuffer through its contiguous buffer', () => {
    const dynamic = { buffer: Buffer.from('123456789') };
    expect(crc32c(dynamic)).toBe(0xe3069283);
  });

  it('refuses snappy and lz4 with the client\'s own error, naming gzip and zstd instead', () => {
    expect(() => snappyCompress(Buffer.from('x'))).toThrow(UnsupportedCompressionError);
    expect(() => lz4Compress(Buffer.from('x'))).toThrow(/use gzip or zstd/);
  });

  it('gives the client mnemonist\'s LRUCache', () => {
    const cache = new LRUCache(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('c')]).toEqual([undefined, 3]);
  });
});
