/** A stack definition or an environment variable is missing or wrong. */
export class StackConfigurationError extends Error {
  override name = 'StackConfigurationError';
}
