import { describe, expect, it } from 'vitest';
import { functionEnvironment, localBucketNames, unusedParameters } from '../../function-environment.ts';
import { loadTemplate } from '../../template/load-template.ts';
import { fixtureTemplate } from '../support.ts';

const { functions, buckets } = loadTemplate({ templatePath: fixtureTemplate('pipeline') });
const consume = functions.get('ConsumeFunction')!;
const envVars = { Parameters: { S3_ENDPOINT: 'http://127.0.0.1:9000', KAFKA_BROKERS: '127.0.0.1:9092', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's', NOT_DECLARED: 'x', STAGE: 'from-parameters' }, ConsumeFunction: { DATA_BUCKET: 'data', STAGE: 'from-section', EXTRA: 'y' } };

describe('function environment', () => {
  it('overrides template values with env.json Parameters, then the function section', () => {
    const { variables } = functionEnvironment(consume, envVars, {});
    expect(variables).toMatchObject({ DATA_BUCKET: 'data', STAGE: 'from-section', S3_ENDPOINT: 'http://127.0.0.1:9000', NODE_OPTIONS: '--enable-source-maps' });
  });

  it('sets only variables the template declares, as sam local does', () => {
    const { variables, ignored } = functionEnvironment(consume, envVars, {});
    expect(variables).not.toHaveProperty('NOT_DECLARED');
    expect(variables).not.toHaveProperty('KAFKA_BROKERS');
    expect(ignored).toEqual(['EXTRA']);
    expect(unusedParameters(functions.values(), envVars)).toEqual(['NOT_DECLARED']);
  });

  it('lets the shell override a declared variable below env.json', () => {
    expect(functionEnvironment(consume, {}, { STAGE: 'shell', UNDECLARED: 'x' }).variables).toMatchObject({ STAGE: 'shell' });
    expect(functionEnvironment(consume, envVars, { STAGE: 'shell' }).variables.STAGE).toBe('from-section');
  });

  it('takes region and keys from env.json for the function credentials', () => {
    expect(functionEnvironment(consume, envVars, {}).credentials).toEqual({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' });
  });

  it('names the local bucket after the env.json value of a variable that is !Ref of the bucket', () => {
    expect(localBucketNames(functions.values(), buckets, envVars)).toEqual({ DataBucket: 'data' });
    expect(localBucketNames(functions.values(), buckets, {})).toEqual({ DataBucket: 'DataBucket' });
    expect(localBucketNames(functions.values(), buckets, envVars, { DataBucket: 'other' })).toEqual({ DataBucket: 'other' });
    expect(() => localBucketNames(functions.values(), buckets, envVars, { Missing: 'x' })).toThrow(/no AWS::S3::Bucket Missing/);
  });
});
