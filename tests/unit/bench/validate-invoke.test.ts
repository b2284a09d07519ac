import { describe, expect, it } from 'vitest';
import { parseReportDuration } from '../../../bench/stages/validate-invoke.ts';

describe('parseReportDuration', () => {
  it('reads the Duration of the REPORT line local:invoke prints', () => {
    const stderr = 'ValidateFunction | {"level":"INFO"}\nREPORT RequestId: 6f1c\tDuration: 776.31 ms\tMemory Size: 1024 MB\n';
    expect(parseReportDuration(stderr)).toBe(776.31);
  });

  it('gives undefined when there is no REPORT line', () => {
    expect(parseReportDuration('runtime | building ValidateFunction\n')).toBeUndefined();
  });
});
