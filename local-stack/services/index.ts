/**
 * @ledgerflow/local-services: Kafka (KRaft), MinIO, PostgreSQL, Spark + Delta Lake, a Node.js for
 * Lambda and a project's own services on one machine without Docker. A project describes
 * its stack once with defineStack; the `local-services` CLI and these functions run it.
 */
export type { Health } from './component.ts';
export { StackConfigurationError } from './config.ts';
export { type ExtraServiceDefinition, defineStack, type PostgresDefinition, type StackDefinition } from './definition.ts';
export { clientEnvironment } from './environment.ts';
export { kafkaVersion } from './components/kafka.ts';
export { createStackS3Client, minioModule } from './components/minio.ts';
export { postgresPackageVersion, withPostgres } from './components/postgres.ts';
export { sparkEnvironment } from './components/spark.ts';
export { type ReadMessage, readFirstMessage } from './first-message.ts';
export type { Artifact } from './maven.ts';
export { type PrivatePlace, type PrivateStack, type PrivateStackOptions, preparePrivateStack, startPrivateStack } from './private-stack.ts';
export { isPortOpen, stopGroup } from './processes.ts';
export { loopback, type PostgresSettings, readStackSettings, serviceUrl, type StackPaths, type StackSettings } from './settings.ts';
export { allHealthy, ComponentError, down, formatStatus, install, requireRunning, status, type StatusRow, up } from './stack.ts';
