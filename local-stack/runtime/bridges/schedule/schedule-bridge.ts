import { invokeAsync } from '../../async-invoke.ts';
import type { FunctionRegistry } from '../../function-registry.ts';
import { ratePeriodMs, scheduledEvent } from './schedule-event.ts';

export interface ScheduleBridgeOptions {
  registry: FunctionRegistry;
  onNotice: (text: string) => void;
  /** Base delay of the asynchronous retries (Lambda: about a minute, then two). */
  retryBaseDelayMs?: number;
}

/**
 * The template's `Schedule` events: each enabled `rate(...)` rule invokes its function
 * asynchronously (EventInvokeConfig retries, then the on-failure destination) once per
 * period, the first time one period after the start, as a new rule does. `cron(...)`
 * rules are listed and not run.
 */
export function startScheduleBridge(options: ScheduleBridgeOptions): { stop(): Promise<void> } {
  const { registry, onNotice } = options;
  const state = { stopping: false };
  const pending = new Set<Promise<unknown>>();
  const account = registry.model.pseudo['AWS::AccountId']!;
  const timers = registry.model.scheduleSources.flatMap((source) => {
    const periodMs = ratePeriodMs(source.schedule);
    if (!source.enabled || periodMs === undefined) {
      onNotice(`schedule ${source.id} (${source.schedule}) is not run locally: ${source.enabled ? 'cron expressions are not run' : 'disabled'}`);
      return [];
    }
    const ruleArn = `arn:aws:events:${registry.region}:${account}:rule/${registry.model.pseudo['AWS::StackName']}-${source.functionLogicalId}${source.eventName}`;
    onNotice(`schedule ${source.schedule} -> ${source.functionLogicalId}`);
    const timer = setInterval(() => {
      const event = scheduledEvent(ruleArn, new Date(), { account, region: registry.region });
      const task = invokeAsync(registry, source.functionLogicalId, event, { baseDelayMs: options.retryBaseDelayMs, onNotice, state, requestId: event.id });
      pending.add(task);
      task.finally(() => pending.delete(task)).catch(() => undefined);
    }, periodMs);
    return [timer];
  });
  return {
    async stop() {
      state.stopping = true;
      for (const timer of timers) clearInterval(timer);
      await Promise.allSettled([...pending]);
    },
  };
}
