/**
 * The Docker-free Lambda runtime's public entry: run a SAM template's functions, API and
 * event sources in this process (startLocalRuntime) or as the command line in a child
 * process (startRuntimeProcess), and the pieces benchmarks and tests of an application
 * reuse: the template model, the build, the environment of an instance, local tokens and
 * the Lambda Kafka and Kinesis event encoders, the shape of measured figures and a polling
 * helper for tests.
 */
export type { OpenApiProvider } from './api/api-docs.ts';
export { signHs256, verifyJwt } from './api/jwt.ts';
export { type InvocationRecord, invokeAsync } from './async-invoke.ts';
export { findAuthorizer, issueLocalToken } from './api/token-command.ts';
export { buildKafkaEvent, type ConsumedRecord, type KafkaEventSource } from './bridges/kafka/kafka-event.ts';
export type { BatchReport } from './bridges/batch-processor.ts';
export { buildKinesisEvent, type KinesisEventSource, type ShardRecord } from './bridges/kinesis/kinesis-event.ts';
export type { Figure } from './bench/figures.ts';
export { buildFunction, type BuiltFunction, esbuildOptions } from './build/build-function.ts';
export { type EnvVars, functionEnvironment, instanceEnvironment, readEnvVars } from './function-environment.ts';
export { FunctionRegistry, type RuntimeOptions } from './function-registry.ts';
export { type RuntimeProcessOptions, type ServerProcess, startRuntimeProcess } from './runtime-process.ts';
export { type LocalRuntime, type LocalRuntimeOptions, startLocalRuntime } from './start-local-runtime.ts';
export { loadTemplate } from './template/load-template.ts';
export type { FunctionDefinition, TemplateModel } from './template/model.ts';
export { TemplateError } from './template/template-error.ts';
export type { InvokeOutcome } from './worker/function-pool.ts';
export { waitFor } from './wait-for.ts';
