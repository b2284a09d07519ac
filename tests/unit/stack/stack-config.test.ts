import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '#lib/config.ts';
import { clientEnvironment } from '@ledgerflow/local-services';
import { type EnvJson, ledgerflowStack, readEnvJson, readLocalStack } from '../../../local-stack/stack.config.ts';

/** The product's stack definition: defaults from env.json, one topic per data contract, the job service. */

const envJson: EnvJson = {
  Parameters: {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'json-user',
    AWS_SECRET_ACCESS_KEY: 'json-secret-123',
    S3_ENDPOINT: 'http://127.0.0.1:9000',
    KAFKA_BROKERS: '127.0.0.1:9092',
    KINESIS_ENDPOINT: 'http://127.0.0.1:4567',
    PGPORT: 5432,
    PGUSER: 'json_db_user',
    PGPASSWORD: 'json-db-secret',
    PGDATABASE: 'reference',
  },
  ValidateFunction: { LAKE_BUCKET: 'lake' },
  MergeTriggerFunction: { JOB_SERVICE_URL: 'http://127.0.0.1:3002', JOB_SERVICE_TOKEN: 'json-job-service-token' },
};

describe('the local stack definition', () => {
  it('takes ports, credentials, bucket and job service address from env.json when nothing overrides them', () => {
    const stack = readLocalStack({}, envJson);

    expect(stack.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(stack.s3Endpoint).toBe('http://127.0.0.1:9000');
    expect(stack.credentials).toEqual({ accessKeyId: 'json-user', secretAccessKey: 'json-secret-123' });
    expect(stack.lakeBucket).toBe('lake');
    expect(stack.jobServiceUrl).toBe('http://127.0.0.1:3002');
    expect(stack.kafkaPartitions).toBe(3);
    expect(stack.referenceDbUrl).toBe('postgres://json_db_user:json-db-secret@127.0.0.1:5432/reference');
  });

  it('starts the job service with the token of env.json, the one the merge trigger sends', () => {
    const stack = readLocalStack({}, envJson);
    const jobService = ledgerflowStack({}, envJson).services?.find((service) => service.name === 'job-service');

    expect(stack.jobServiceToken).toBe('json-job-service-token');
    expect(jobService?.command(stack).env?.JOB_SERVICE_TOKEN).toBe('json-job-service-token');
  });

  it('derives one topic per data contract from the topic prefix', () => {
    expect(readLocalStack({}, envJson).sourceTopics).toEqual(['ingest.transactions', 'ingest.policies', 'ingest.claims']);
    expect(readLocalStack({ TOPIC_PREFIX: 'dev.' }, envJson).sourceTopics).toContain('dev.claims');
  });

  it('lets the product variables override bucket, job service port, state folder and Spark jars', () => {
    const stack = readLocalStack(
      { LAKE_BUCKET: 'other-lake', JOB_SERVICE_PORT: '13002', LEDGERFLOW_STACK_DIR: '/tmp/somewhere/.stack', LEDGERFLOW_SPARK_JARS: '/opt/jars' },
      envJson,
    );

    expect(stack.lakeBucket).toBe('other-lake');
    expect(stack.jobServiceUrl).toBe('http://127.0.0.1:13002');
    expect(stack.paths.root).toBe('/tmp/somewhere/.stack');
    expect(stack.paths.jars).toBe('/opt/jars');
  });

  it('names the variable when a product variable is invalid', () => {
    expect(() => readLocalStack({ JOB_SERVICE_PORT: 'ninety' }, envJson)).toThrow(ConfigurationError);
    expect(() => readLocalStack({ JOB_SERVICE_PORT: 'ninety' }, envJson)).toThrow(/JOB_SERVICE_PORT/);
  });

  it('gives clients the variables of env.json, with the topic prefix and the Spark jars', () => {
    const stack = readLocalStack({}, envJson);

    expect(clientEnvironment(stack)).toEqual({
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'json-user',
      AWS_SECRET_ACCESS_KEY: 'json-secret-123',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      KAFKA_BROKERS: '127.0.0.1:9092',
      PGHOST: '127.0.0.1',
      PGPORT: '5432',
      PGUSER: 'json_db_user',
      PGPASSWORD: 'json-db-secret',
      PGDATABASE: 'reference',
      TOPIC_PREFIX: 'ingest.',
      LAKE_BUCKET: 'lake',
      JOB_SERVICE_URL: 'http://127.0.0.1:3002',
      LEDGERFLOW_SPARK_JARS: stack.paths.jars,
    });
  });

  it('reads the defaults that the functions get from local-stack/env.json', () => {
    const fromFile = readEnvJson();

    expect(readLocalStack({}, fromFile).s3Endpoint).toBe(fromFile.Parameters.S3_ENDPOINT);
    expect(readLocalStack({}, fromFile).kafkaBrokers.join(',')).toBe(fromFile.Parameters.KAFKA_BROKERS);
  });
});
