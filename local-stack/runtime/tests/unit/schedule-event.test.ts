import { describe, expect, it } from 'vitest';
import { ratePeriodMs, scheduledEvent } from '../../bridges/schedule/schedule-event.ts';

describe('schedule expressions', () => {
  it('turns rate expressions into periods, in EventBridge units', () => {
    expect(ratePeriodMs('rate(1 minute)')).toBe(60_000);
    expect(ratePeriodMs('rate(10 minutes)')).toBe(600_000);
    expect(ratePeriodMs('rate(2 hours)')).toBe(7_200_000);
    expect(ratePeriodMs('rate(1 day)')).toBe(86_400_000);
  });

  it('leaves cron expressions to the cloud', () => {
    expect(ratePeriodMs('cron(0 12 * * ? *)')).toBeUndefined();
  });

  it('rejects what EventBridge rejects: zero, a plural for one, a singular for many, other units', () => {
    for (const bad of ['rate(0 minutes)', 'rate(1 minutes)', 'rate(5 minute)', 'rate(5 seconds)', 'rate(1.5 hours)', 'every 5 minutes']) {
      expect(() => ratePeriodMs(bad), bad).toThrow(/is not rate\(<n> <unit>\) or cron/);
    }
  });
});

describe('scheduled event', () => {
  it('has the shape EventBridge sends to Lambda, timed to the minute', () => {
    const arn = 'arn:aws:events:us-east-1:123456789012:rule/local-FnTick';
    const event = scheduledEvent(arn, new Date('2026-03-01T12:10:42.317Z'), { account: '123456789012', region: 'us-east-1' });
    expect(event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2026-03-01T12:10:00Z',
      region: 'us-east-1',
      resources: [arn],
      detail: {},
    });
  });
});
