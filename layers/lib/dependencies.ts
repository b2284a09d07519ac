import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SourceContract } from '#contracts/contract.ts';
import { findContract } from '#contracts/registry.ts';
import { logger, metrics } from './observability.ts';

/**
 * What every function's pure entry point receives beside its event, as `(event, deps)`.
 * The handler builds it once per instance (settings from `readConfig`, SDK clients,
 * logger and metrics) and a unit test passes its own, with no Lambda around it.
 * Each function adds the clients it uses: `FunctionDependencies<Settings> & { ... }`.
 */
export interface FunctionDependencies<Settings> {
  settings: Settings;
  logger: Pick<Logger, 'info' | 'warn' | 'error' | 'appendKeys'>;
  metrics: Pick<Metrics, 'addMetric'>;
  findContract: (source: string) => SourceContract | undefined;
}

/** The part every handler's dependencies share: its settings, the instance's logger and metrics, the contracts. */
export function sharedDependencies<Settings>(settings: Settings): FunctionDependencies<Settings> {
  return { settings, logger, metrics, findContract };
}
