import { describe, expect, it } from 'vitest';
import { defaultSizes, parseCount, resolveSizes, selectStages, tinySizes } from '../../../bench/lib/cli.ts';

describe('parseCount', () => {
  it('reads plain numbers and k, m, kb, mb suffixes', () => {
    expect(parseCount('5000')).toBe(5000);
    expect(parseCount('100k')).toBe(100_000);
    expect(parseCount('1m')).toBe(1_000_000);
    expect(parseCount('6mb')).toBe(6 * 1024 * 1024);
    expect(parseCount('1.5k')).toBe(1500);
  });

  it('refuses words, zero and negative counts', () => {
    expect(() => parseCount('lots')).toThrow(/not a count/);
    expect(() => parseCount('0')).toThrow(/positive/);
    expect(() => parseCount('-5')).toThrow(/not a count/);
  });
});

describe('resolveSizes', () => {
  it('uses the full sizes by default and the tiny ones with --tiny', () => {
    expect(resolveSizes(false, {})).toEqual(defaultSizes);
    expect(resolveSizes(true, {})).toEqual(tinySizes);
  });

  it('lets a flag override a size, tiny or not', () => {
    expect(resolveSizes(true, { 'validate-records': '2k' }).validateRecords).toBe(2000);
    expect(resolveSizes(false, { 'merge-rows': '10k,50k' }).mergeRows).toEqual([10_000, 50_000]);
  });

  it('adds a 1,000,000-row merge with --merge-1m', () => {
    expect(resolveSizes(false, {}, { merge1m: true }).mergeRows).toEqual([10_000, 100_000, 1_000_000]);
  });

  it('does not change the shared defaults', () => {
    resolveSizes(false, {}, { merge1m: true });
    expect(defaultSizes.mergeRows).toEqual([10_000, 100_000]);
  });
});

describe('selectStages', () => {
  const known = ['validate', 'cold-start', 'ingest'];

  it('selects every stage when --only is absent', () => {
    expect(selectStages(undefined, known)).toEqual(known);
  });

  it('accepts comma-separated and repeated names, in run order', () => {
    expect(selectStages(['ingest,validate'], known)).toEqual(['validate', 'ingest']);
    expect(selectStages(['ingest', 'cold-start'], known)).toEqual(['cold-start', 'ingest']);
  });

  it('refuses an unknown stage and names the known ones', () => {
    expect(() => selectStages(['merg'], known)).toThrow('unknown stage merg; stages: validate, cold-start, ingest');
  });
});
