import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '#lib/config.ts';
import { type EnvJson, readEnvJson, readStackSettings } from '../../../local-stack/services/settings.ts';

const envJson: EnvJson = {
  Parameters: {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'json-user',
    AWS_SECRET_ACCESS_KEY: 'json-secret-123',
    S3_ENDPOINT: 'http://127.0.0.1:9000',
    KAFKA_BROKERS: '127.0.0.1:9092',
  },
  ValidateFunction: { LAKE_BUCKET: 'lake' },
  MergeTriggerFunction: { JOB_SERVICE_URL: 'http://127.0.0.1:3002' },
};

describe('stack settings', () => {
  it('takes ports, credentials and bucket from env.json when nothing overrides them', () => {
    const settings = readStackSettings({}, envJson);

    expect(settings.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(settings.kafkaControllerPort).toBe(9093);
    expect(settings.s3Endpoint).toBe('http://127.0.0.1:9000');
    expect(settings.minioConsolePort).toBe(9001);
    expect(settings.credentials).toEqual({ accessKeyId: 'json-user', secretAccessKey: 'json-secret-123' });
    expect(settings.lakeBucket).toBe('lake');
    expect(settings.jobServiceUrl).toBe('http://127.0.0.1:3002');
    expect(settings.kafkaPartitions).toBe(3);
  });

  it('derives one topic per data contract from the topic prefix', () => {
    expect(readStackSettings({}, envJson).sourceTopics).toEqual(['ingest.transactions', 'ingest.policies', 'ingest.claims']);
    expect(readStackSettings({ TOPIC_PREFIX: 'dev.' }, envJson).sourceTopics).toContain('dev.claims');
  });

  it('lets environment variables override ports, credentials and bucket, second ports following the first', () => {
    const settings = readStackSettings(
      {
        KAFKA_PORT: '19092',
        MINIO_PORT: '19000',
        JOB_SERVICE_PORT: '13002',
        MINIO_ROOT_USER: 'other',
        MINIO_ROOT_PASSWORD: 'other-secret',
        LAKE_BUCKET: 'other-lake',
        KAFKA_PARTITIONS: '1',
      },
      envJson,
    );

    expect(settings.kafkaBrokers).toEqual(['127.0.0.1:19092']);
    expect(settings.kafkaControllerPort).toBe(19093);
    expect(settings.s3Endpoint).toBe('http://127.0.0.1:19000');
    expect(settings.minioConsolePort).toBe(19001);
    expect(settings.jobServiceUrl).toBe('http://127.0.0.1:13002');
    expect(settings.credentials).toEqual({ accessKeyId: 'other', secretAccessKey: 'other-secret' });
    expect(settings.lakeBucket).toBe('other-lake');
    expect(settings.kafkaPartitions).toBe(1);
  });

  it('keeps every folder under the stack directory, except Spark jars when LEDGERFLOW_SPARK_JARS says otherwise', () => {
    const inStack = readStackSettings({ LEDGERFLOW_STACK_DIR: '/tmp/somewhere/.stack' }, envJson).paths;
    const elsewhere = readStackSettings({ LEDGERFLOW_STACK_DIR: '/tmp/somewhere/.stack', LEDGERFLOW_SPARK_JARS: '/opt/jars' }, envJson).paths;

    for (const folder of [inStack.kafka, inStack.minio, inStack.venv, inStack.jars, inStack.data, inStack.logs, inStack.pids]) {
      expect(folder.startsWith('/tmp/somewhere/.stack/')).toBe(true);
    }
    expect(elsewhere.jars).toBe('/opt/jars');
  });

  it('names the variable when an override is invalid', () => {
    expect(() => readStackSettings({ KAFKA_PORT: 'ninety' }, envJson)).toThrow(ConfigurationError);
    expect(() => readStackSettings({ KAFKA_PORT: 'ninety' }, envJson)).toThrow(/KAFKA_PORT/);
    expect(() => readStackSettings({ MINIO_ROOT_PASSWORD: 'short' }, envJson)).toThrow(/MINIO_ROOT_PASSWORD/);
    expect(() => readStackSettings({ LAKE_BUCKET: 'Not_A_Bucket' }, envJson)).toThrow(/LAKE_BUCKET/);
  });

  it('refuses a second port equal to the first one of the same server', () => {
    expect(() => readStackSettings({ KAFKA_PORT: '9500', KAFKA_CONTROLLER_PORT: '9500' }, envJson)).toThrow(/must differ/);
    expect(() => readStackSettings({ MINIO_PORT: '9500', MINIO_CONSOLE_PORT: '9500' }, envJson)).toThrow(/must differ/);
  });

  it('reads the defaults that the functions get from local-stack/env.json', () => {
    const fromFile = readEnvJson();

    expect(readStackSettings({}, fromFile).s3Endpoint).toBe(fromFile.Parameters.S3_ENDPOINT);
    expect(readStackSettings({}, fromFile).kafkaBrokers.join(',')).toBe(fromFile.Parameters.KAFKA_BROKERS);
  });
});
