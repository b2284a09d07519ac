import { describe, expect, it } from 'vitest';
import { mean, median, percentile, perSecond, ratioOf, significant, summarize } from '../../../bench/lib/stats.ts';

describe('percentile', () => {
  it('interpolates between the two closest ranks', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50], 95)).toBeCloseTo(48);
  });

  it('does not depend on the order of the samples', () => {
    expect(percentile([5, 1, 4, 2, 3], 25)).toBe(2);
  });

  it('gives the extremes at 0 and 100', () => {
    expect(percentile([7, 3, 9], 0)).toBe(3);
    expect(percentile([7, 3, 9], 100)).toBe(9);
  });

  it('gives the only sample for any percentile of one sample', () => {
    expect(percentile([42], 99)).toBe(42);
  });

  it('refuses no samples and percentiles outside 0..100', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(/between 0 and 100/);
  });

  it('leaves the caller\'s array unsorted', () => {
    const samples = [3, 1, 2];
    percentile(samples, 50);
    expect(samples).toEqual([3, 1, 2]);
  });
});

describe('summaries', () => {
  it('computes median and mean', () => {
    expect(median([9, 1, 5])).toBe(5);
    expect(mean([1, 2, 3, 6])).toBe(3);
  });

  it('summarises samples with count, extremes and tail percentiles', () => {
    const samples = Array.from({ length: 101 }, (_, index) => index);
    expect(summarize(samples)).toEqual({ count: 101, min: 0, p50: 50, p95: 95, p99: 99, max: 100, mean: 50 });
  });
});

describe('rates and ratios', () => {
  it('turns a count and milliseconds into a rate per second', () => {
    expect(perSecond(5000, 250)).toBe(20_000);
    expect(() => perSecond(1, 0)).toThrow(RangeError);
  });

  it('divides value by baseline to three decimals', () => {
    expect(ratioOf(50, 200)).toBe(0.25);
    expect(ratioOf(1, 3)).toBe(0.333);
  });

  it('has no ratio without a usable baseline', () => {
    expect(ratioOf(5, null)).toBeNull();
    expect(ratioOf(5, 0)).toBeNull();
  });

  it('rounds to significant digits', () => {
    expect(significant(123_456.789)).toBe(123_500);
    expect(significant(0.000123456, 3)).toBe(0.000123);
    expect(significant(0)).toBe(0);
  });
});
