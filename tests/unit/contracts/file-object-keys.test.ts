import { describe, expect, it } from 'vitest';
import { containsCardNumber } from '#contracts/card-data.ts';
import { fileObjectName, fileQuarantineObjectKey, fileReportKey } from '#contracts/lake.ts';

const hostileNames = [
  'files/claims/broker export 2026-03-01.csv',
  'files/claims/export [1].csv',
  'files/claims/export {a,b}.csv',
  'files/claims/*.csv',
  'files/claims/what?.csv',
  'files/claims/déclaration sinistre – 水害.csv',
  'files/claims/../../landing/claims/x.csv',
  'files/claims/..',
  'files/claims/.hidden.csv',
  'files/claims/_SUCCESS.csv',
  'files/claims/%2F%20encoded.csv',
  'files/claims/card 4111 1111 1111 1111.csv',
  `files/claims/${'very long name '.repeat(60)}.csv`,
  'files/claims/sub/folder/export.csv',
];

describe('object keys made from dropped file names', () => {
  for (const name of hostileNames) {
    it(`carries no raw user text for ${JSON.stringify(name.slice(13, 60))}`, () => {
      for (const key of [fileQuarantineObjectKey('claims', name), fileReportKey(name)]) {
        const [folder, file] = [key.slice(0, key.lastIndexOf('/') + 1), key.slice(key.lastIndexOf('/') + 1)];
        expect(['quarantine/claims/files/', 'reports/files/']).toContain(folder);
        // Only characters with no meaning to globs or paths, no "." or "_" first (a hidden file to Spark), no "..".
        expect(file).toMatch(/^[a-p]{16}-[A-Za-z0-9._-]*\.(ndjson|json)$/);
        expect(file.length).toBeLessThan(120);
        expect(containsCardNumber(key)).toBe(false);
      }
    });
  }

  it('gives the same name for the same file, so a re-run overwrites its objects', () => {
    expect(fileObjectName('files/claims/export [1].csv')).toBe(fileObjectName('files/claims/export [1].csv'));
    expect(fileReportKey('files/claims/a b.csv')).toBe(fileReportKey('files/claims/a b.csv'));
  });

  it('gives different names to files whose readable parts look alike', () => {
    const alike = ['files/claims/a b.csv', 'files/claims/a_b.csv', 'files/claims/a?b.csv', 'files/claims/a/b.csv', 'files/policies/a b.csv'];
    expect(new Set(alike.map(fileObjectName)).size).toBe(alike.length);
    const long = (end: string) => `files/claims/${'x'.repeat(200)}${end}.csv`;
    expect(fileObjectName(long('1'))).not.toBe(fileObjectName(long('2')));
  });

  it('keeps the readable part of a plain name', () => {
    expect(fileReportKey('files/claims/export-2026-03-01.csv')).toMatch(/^reports\/files\/[a-p]{16}-claims_export-2026-03-01\.csv\.json$/);
  });
});
