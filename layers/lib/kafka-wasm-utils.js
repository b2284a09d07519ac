// Bundles only: template.yaml aliases '@platformatic/wasm-utils' to this file. The package
// inlines a 57 KB WebAssembly module (75 KB of base64 in a bundle, compiled at load) for
// CRC32C and for snappy and lz4 compression; the producer sends uncompressed batches, so
// it needs CRC32C alone (each record batch's checksum), computed here in JavaScript.
// Same names as @platformatic/kafka imports from the package.
import { UnsupportedCompressionError } from '../../node_modules/@platformatic/kafka/dist/errors.js';

// CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), slicing by 16: 16 tables of 256
// entries, built once, so the main loop reads 16 bytes per step (about 0.6 of the
// WebAssembly implementation's speed, several hundred MB/s).
const table = new Int32Array(16 * 256);
for (let byte = 0; byte < 256; byte++) {
  let crc = byte;
  for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  table[byte] = crc;
}
for (let byte = 0; byte < 256; byte++) {
  for (let slice = 1; slice < 16; slice++) {
    const previous = table[(slice - 1) * 256 + byte];
    table[slice * 256 + byte] = (previous >>> 8) ^ table[previous & 0xff];
  }
}

/** CRC-32C of a Buffer, a Uint8Array or a DynamicBuffer (whose `buffer` is its bytes as one Buffer). */
export function crc32c(data) {
  const bytes = data instanceof Uint8Array ? data : data.buffer;
  const length = bytes.length;
  const end = length - (length & 15);
  let crc = -1;
  let i = 0;
  for (; i < end; i += 16) {
    const word = (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) ^ crc;
    crc =
      table[3840 + (word & 0xff)] ^
      table[3584 + ((word >>> 8) & 0xff)] ^
      table[3328 + ((word >>> 16) & 0xff)] ^
      table[3072 + (word >>> 24)] ^
      table[2816 + bytes[i + 4]] ^
      table[2560 + bytes[i + 5]] ^
      table[2304 + bytes[i + 6]] ^
      table[2048 + bytes[i + 7]] ^
      table[1792 + bytes[i + 8]] ^
      table[1536 + bytes[i + 9]] ^
      table[1280 + bytes[i + 10]] ^
      table[1024 + bytes[i + 11]] ^
      table[768 + bytes[i + 12]] ^
      table[512 + bytes[i + 13]] ^
      table[256 + bytes[i + 14]] ^
      table[bytes[i + 15]];
  }
  for (; i < length; i++) crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

// The client calls these only for a producer configured with snappy or lz4 compression, or
// to read such batches (a consumer): neither is in a function bundle. gzip and zstd come
// from node:zlib and still work.
const notBundled = (codec) => () => {
  throw new UnsupportedCompressionError(`${codec} is not in this bundle (layers/lib/kafka-wasm-utils.js); use gzip or zstd`);
};
export const snappyCompress = notBundled('snappy');
export const snappyDecompress = notBundled('snappy');
export const lz4Compress = notBundled('lz4');
export const lz4Decompress = notBundled('lz4');
