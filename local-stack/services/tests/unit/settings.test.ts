import { describe, expect, it } from 'vitest';
import { StackConfigurationError } from '../../config.ts';
import { clientEnvironment } from '../../environment.ts';
import { readStackSettings, serviceUrl } from '../../settings.ts';
import { testDefinition } from '../definition.ts';

const jobService = {
  name: 'jobs',
  port: 3100,
  healthPath: '/health',
  command: () => ({ executable: 'true', args: [], cwd: '/', env: {} }),
};

describe('stack settings', () => {
  it('takes ports, credentials, topics and bucket from the definition when nothing overrides them', () => {
    const settings = readStackSettings(testDefinition(), {});

    expect(settings.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(settings.kafkaControllerPort).toBe(9093);
    expect(settings.kafkaPartitions).toBe(3);
    expect(settings.topics).toEqual(['orders', 'payments']);
    expect(settings.s3Endpoint).toBe('http://127.0.0.1:9000');
    expect(settings.minioConsolePort).toBe(9001);
    expect(settings.credentials).toEqual({ accessKeyId: 'test-user', secretAccessKey: 'test-secret-123' });
    expect(settings.bucket).toBe('test-bucket');
    expect(settings.region).toBe('eu-west-1');
  });

  it('lets environment variables override ports, partitions and credentials, second ports following the first', () => {
    const settings = readStackSettings(testDefinition(), {
      KAFKA_PORT: '19092',
      MINIO_PORT: '19000',
      MINIO_ROOT_USER: 'other',
      MINIO_ROOT_PASSWORD: 'other-secret',
      KAFKA_PARTITIONS: '1',
    });

    expect(settings.kafkaBrokers).toEqual(['127.0.0.1:19092']);
    expect(settings.kafkaControllerPort).toBe(19093);
    expect(settings.s3Endpoint).toBe('http://127.0.0.1:19000');
    expect(settings.minioConsolePort).toBe(19001);
    expect(settings.credentials).toEqual({ accessKeyId: 'other', secretAccessKey: 'other-secret' });
    expect(settings.kafkaPartitions).toBe(1);
  });

  it('gives each extra service of the definition a loopback address', () => {
    const settings = readStackSettings(testDefinition({ services: [jobService] }), {});

    expect(settings.services).toEqual([{ name: 'jobs', port: 3100, url: 'http://127.0.0.1:3100' }]);
    expect(serviceUrl(settings, 'jobs')).toBe('http://127.0.0.1:3100');
    expect(() => serviceUrl(settings, 'missing')).toThrow(StackConfigurationError);
  });

  it('keeps every folder under the state folder, except Spark jars when the definition puts them elsewhere', () => {
    const inStack = readStackSettings(testDefinition({ stateDir: '/tmp/somewhere/.stack' }), {}).paths;
    const elsewhere = readStackSettings(testDefinition({ stateDir: '/tmp/somewhere/.stack', spark: { jars: [], dir: '/opt/jars' } }), {}).paths;

    for (const folder of [inStack.kafka, inStack.minio, inStack.venv, inStack.jars, inStack.lambdaNode, inStack.data, inStack.logs, inStack.pids]) {
      expect(folder.startsWith('/tmp/somewhere/.stack/')).toBe(true);
    }
    expect(elsewhere.jars).toBe('/opt/jars');
  });

  it('names the variable when an override is invalid, and refuses a bucket S3 would refuse', () => {
    expect(() => readStackSettings(testDefinition(), { KAFKA_PORT: 'ninety' })).toThrow(StackConfigurationError);
    expect(() => readStackSettings(testDefinition(), { KAFKA_PORT: 'ninety' })).toThrow(/KAFKA_PORT/);
    expect(() => readStackSettings(testDefinition(), { MINIO_ROOT_PASSWORD: 'short' })).toThrow(/MINIO_ROOT_PASSWORD/);
    expect(() => readStackSettings(testDefinition({ s3: { port: 9000, bucket: 'Not_A_Bucket' } }), {})).toThrow(/s3.bucket/);
  });

  it('refuses a second port equal to the first one of the same server', () => {
    expect(() => readStackSettings(testDefinition(), { KAFKA_PORT: '9500', KAFKA_CONTROLLER_PORT: '9500' })).toThrow(/must differ/);
    expect(() => readStackSettings(testDefinition(), { MINIO_PORT: '9500', MINIO_CONSOLE_PORT: '9500' })).toThrow(/must differ/);
  });
});

describe('client environment', () => {
  it('has the usual AWS and Kafka variables, then those the definition adds', () => {
    const definition = testDefinition({ clientEnvironment: (settings) => ({ ORDERS_BUCKET: settings.bucket }) });

    expect(clientEnvironment(readStackSettings(definition, {}))).toEqual({
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test-user',
      AWS_SECRET_ACCESS_KEY: 'test-secret-123',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      KAFKA_BROKERS: '127.0.0.1:9092',
      ORDERS_BUCKET: 'test-bucket',
    });
  });
});
