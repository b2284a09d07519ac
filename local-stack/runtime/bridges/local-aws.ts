import { S3Client } from '@aws-sdk/client-s3';
import type { FunctionRegistry } from '../function-registry.ts';

export interface LocalAwsSettings {
  s3Endpoint?: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  kafkaBrokers: string[];
  /** The local Kinesis API (kinesalite), e.g. http://127.0.0.1:4567. */
  kinesisEndpoint?: string;
}

/**
 * Endpoints and keys for the bridges' own calls, from env.json `Parameters` (the values
 * the functions get), so the bridges reach the same MinIO, Kafka and Kinesis as the functions.
 */
export function localAwsSettings(registry: FunctionRegistry): LocalAwsSettings {
  const parameters = registry.envVars.Parameters ?? {};
  return {
    s3Endpoint: parameters.S3_ENDPOINT || process.env.S3_ENDPOINT || undefined,
    region: registry.region,
    credentials: {
      accessKeyId: parameters.AWS_ACCESS_KEY_ID ?? process.env.AWS_ACCESS_KEY_ID ?? 'local',
      secretAccessKey: parameters.AWS_SECRET_ACCESS_KEY ?? process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    },
    kinesisEndpoint: parameters.KINESIS_ENDPOINT || process.env.KINESIS_ENDPOINT || undefined,
    kafkaBrokers: (parameters.KAFKA_BROKERS ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim()).filter(Boolean),
  };
}

export function localS3Client(settings: LocalAwsSettings): S3Client {
  return new S3Client({ region: settings.region, credentials: settings.credentials, ...(settings.s3Endpoint ? { endpoint: settings.s3Endpoint, forcePathStyle: true } : {}) });
}

/** The local bucket an ARN names: a template bucket's logical id maps to its local name. */
export function bucketFromArn(arn: string, registry: FunctionRegistry): string | undefined {
  const match = /^arn:[^:]+:s3:::([^/]+)$/.exec(arn);
  if (!match) return undefined;
  return registry.bucketNames[match[1]!] ?? match[1]!;
}
