import { describe, expect, it } from 'vitest';
import { stageDurations } from '../../../bench/stages/freshness.ts';

describe('stageDurations', () => {
  it('splits each record\'s 202-to-visible time into landing, merge submission and merge, in seconds', () => {
    const timelines = [
      { accepted: 0, landed: 500, submitted: 1500, visible: 20_500 },
      { accepted: 100, landed: 700, submitted: 1500, visible: 20_500 },
    ];
    const durations = stageDurations(timelines);
    expect(durations.count).toBe(2);
    expect(durations.total.p50).toBeCloseTo(20.45);
    expect(durations.toLanding.p50).toBeCloseTo(0.55);
    expect(durations.toJob.p50).toBeCloseTo(0.9);
    expect(durations.toVisible.p95).toBeCloseTo(19);
  });

  it('leaves out records that never became visible', () => {
    const durations = stageDurations([{ accepted: 0, landed: 1, submitted: 2, visible: 3 }, { accepted: 0, landed: 1 }]);
    expect(durations.count).toBe(1);
  });
});
