import { describe, expect, it } from 'vitest';
import { allHealthy, formatStatus, type StatusRow } from '../../stack.ts';

const row = (component: string, health: StatusRow['health']): StatusRow => ({
  component,
  ports: '9092,9093',
  pid: '42',
  health,
  logFile: `.stack/logs/${component}.log`,
});

describe('stack status', () => {
  it('is healthy only when every present component is healthy', () => {
    const kafka = row('kafka', { healthy: true, detail: 'topics' });
    const absentJobService = row('job-service', { healthy: 'not-counted', detail: 'disabled by the stack definition' });
    const stoppedMinio = row('minio', { healthy: false, reason: 'stopped' });

    expect(allHealthy([kafka, absentJobService])).toBe(true);
    expect(allHealthy([kafka, absentJobService, stoppedMinio])).toBe(false);
  });

  it('prints one aligned line per component with its ports, pid, health and log', () => {
    const table = formatStatus([row('kafka', { healthy: true, detail: 'topics' }), row('minio', { healthy: false, reason: 'stopped' })]);
    const [header, kafka, minio] = table.split('\n');

    expect(header).toMatch(/^component\s+ports\s+pid\s+health\s+log$/);
    expect(kafka).toMatch(/^kafka\s+9092,9093\s+42\s+healthy: topics\s+\.stack\/logs\/kafka\.log$/);
    expect(minio).toContain('UNHEALTHY: stopped');
    expect(header!.indexOf('health')).toBe(kafka!.indexOf('healthy'));
  });
});
