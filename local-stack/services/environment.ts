import { loopback, type StackSettings } from './settings.ts';

/**
 * The variables a client process needs to reach the stack: the usual AWS and Kafka
 * names, then whatever the definition adds (its own names for bucket, services, ...).
 */
export function clientEnvironment(settings: StackSettings): Record<string, string> {
  return {
    AWS_REGION: settings.region,
    AWS_ACCESS_KEY_ID: settings.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: settings.credentials.secretAccessKey,
    S3_ENDPOINT: settings.s3Endpoint,
    KAFKA_BROKERS: settings.kafkaBrokers.join(','),
    // libpq's own names, read by psql and most PostgreSQL clients.
    ...(settings.postgres && {
      PGHOST: loopback,
      PGPORT: String(settings.postgres.port),
      PGUSER: settings.postgres.user,
      PGPASSWORD: settings.postgres.password,
      PGDATABASE: settings.postgres.database,
    }),
    ...settings.definition.clientEnvironment?.(settings),
  };
}
