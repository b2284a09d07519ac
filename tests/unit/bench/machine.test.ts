import { describe, expect, it } from 'vitest';
import { bytesToGiB, machineInfo, parseJavaVersion } from '../../../bench/lib/machine.ts';

describe('parseJavaVersion', () => {
  it('reads an OpenJDK version', () => {
    const output = 'openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)\nOpenJDK 64-Bit Server VM';
    expect(parseJavaVersion(output)).toBe('OpenJDK 17.0.15');
  });

  it('reads an Oracle Java version', () => {
    const output = 'java version "1.8.0_401"\nJava(TM) SE Runtime Environment (build 1.8.0_401-b10)';
    expect(parseJavaVersion(output)).toBe('1.8.0_401');
  });

  it('gives null for output that is not a Java version', () => {
    expect(parseJavaVersion('bash: java: command not found')).toBeNull();
  });
});

describe('machine information', () => {
  it('converts bytes to GiB with one decimal', () => {
    expect(bytesToGiB(25_264_386_048)).toBe(23.5);
  });

  it('describes this machine with every field the report needs', () => {
    const info = machineInfo();
    expect(info.cores).toBeGreaterThan(0);
    expect(info.memoryGiB).toBeGreaterThan(0);
    expect(info.node).toBe(process.version);
    expect(info.cpuModel).not.toBe('');
    expect(info.os).toContain(process.arch);
    expect(info.java === null || typeof info.java === 'string').toBe(true);
    expect(info.loadAverage).toHaveLength(3);
    for (const load of info.loadAverage) expect(load).toBeGreaterThanOrEqual(0);
  });
});
