import { firstMergeAfter } from './merge-service.ts';
import type { SteadyLoad } from './steady-load.ts';
import type { ValidatedEvents } from './validated-events.ts';

export interface Fault {
  name: string;
  /** Breaks a component; resolves once it is broken (and stays so for the fault's duration). */
  inject(): Promise<void>;
  /** Brings it back the way a user would. */
  restore(): Promise<void>;
}

export interface CatchUp {
  fault: string;
  /** Records acknowledged from the fault until ingest answered 202 after the restart. */
  recordsAcked: number;
  restoreSeconds: number;
  /** From the end of the restart, when each stage worked again. */
  apiSeconds: number;
  validatedSeconds: number;
  mergeSeconds: number;
  caughtUpSeconds: number;
}

const seconds = (from: number, to: number) => Math.max(0, Math.round((to - from) / 100) / 10);

/**
 * Runs one fault under the load and times the recovery from the end of the restart: until
 * ingest answers 202 again, until every record acknowledged from the fault on is in a
 * landing or quarantine object, and until a merge started after the restart succeeded.
 * Prints the figures; asserts nothing about them (timeouts only).
 */
export async function runFault(fault: Fault, load: SteadyLoad, validated: ValidatedEvents, timeoutMs = 480_000): Promise<CatchUp> {
  const faultAt = Date.now();
  await fault.inject();
  const restoreStartedAt = Date.now();
  await fault.restore();
  const restoredAt = Date.now();
  const apiAt = await load.firstAcceptedAfter(restoredAt, timeoutMs);
  const acked = load.acceptedBetween(faultAt, apiAt).map((record) => record.eventId);
  const [validatedAt, mergedAt] = await Promise.all([validated.waitFor(acked, timeoutMs), firstMergeAfter(restoredAt, timeoutMs)]);
  const catchUp: CatchUp = {
    fault: fault.name,
    recordsAcked: acked.length,
    restoreSeconds: seconds(restoreStartedAt, restoredAt),
    apiSeconds: seconds(restoredAt, apiAt),
    validatedSeconds: seconds(restoredAt, validatedAt),
    mergeSeconds: seconds(restoredAt, mergedAt),
    caughtUpSeconds: seconds(restoredAt, Math.max(apiAt, validatedAt, mergedAt)),
  };
  console.log(
    `fault ${fault.name}: caught up in ${catchUp.caughtUpSeconds} s after the restart (restart ${catchUp.restoreSeconds} s; ingest 202 again after ${catchUp.apiSeconds} s, ` +
      `the ${catchUp.recordsAcked} records acked since the fault in landing/quarantine objects after ${catchUp.validatedSeconds} s, a new merge succeeded after ${catchUp.mergeSeconds} s)`,
  );
  return catchUp;
}
