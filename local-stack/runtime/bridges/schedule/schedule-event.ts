import { randomUUID } from 'node:crypto';

/** EventBridge's event for a scheduled rule, as Lambda receives it. */
export interface ScheduledEvent {
  version: '0';
  id: string;
  'detail-type': 'Scheduled Event';
  source: 'aws.events';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, never>;
}

const unitMs = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/**
 * The period of a `rate(...)` expression in milliseconds, or undefined for `cron(...)`
 * (not run locally). EventBridge's own rules: a whole positive number, singular unit for 1.
 */
export function ratePeriodMs(expression: string): number | undefined {
  if (/^cron\(.+\)$/.test(expression)) return undefined;
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  const value = Number(match?.[1]);
  const unit = match?.[2];
  if (!match || !(value > 0) || (value === 1) !== !unit!.endsWith('s')) {
    throw new Error(`schedule expression ${JSON.stringify(expression)} is not rate(<n> <unit>) or cron(...)`);
  }
  return value * unitMs[unit!.replace(/s$/, '') as keyof typeof unitMs];
}

/** The event of one firing; the time is the scheduled minute, as EventBridge sends it. */
export function scheduledEvent(ruleArn: string, at: Date, settings: { account: string; region: string }): ScheduledEvent {
  const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: settings.account,
    time: minute.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: settings.region,
    resources: [ruleArn],
    detail: {},
  };
}
