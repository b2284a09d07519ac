import { describe, expect, it } from 'vitest';
import { loadTemplate } from '@ledgerflow/lambda-runtime';
import { sourceNames } from '#contracts/registry.ts';
import { readConfig } from '#lib/config.ts';
import { kinesisStreamPrefix, streamForSource } from '#lib/kinesis.ts';
import { streamSettings } from '#lib/stream-publisher.ts';
import { readTemplateYaml } from '../../fixtures/template-yaml.ts';

/** template.yaml for each value of StreamEngine, as the Docker-free runtime evaluates it (conditions applied). */
const model = (engine: 'kafka' | 'kinesis', overrides: Record<string, string> = {}) =>
  loadTemplate({ templatePath: 'template.yaml', parameterOverrides: { StreamEngine: engine, ...overrides } });

const resources = readTemplateYaml().Resources as Record<string, any>;
const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);

describe('StreamEngine=kafka (the default)', () => {
  it('maps the validate function to one Kafka topic per source and to no Kinesis stream', () => {
    const { kafkaSources, kinesisSources } = model('kafka');
    expect(kafkaSources.map((source) => source.topics[0]).sort()).toEqual(sourceNames().map((source) => `ingest.${source}`).sort());
    expect(kinesisSources).toEqual([]);
  });

  it('gives ingest and file drop the Kafka settings of the stream publisher', () => {
    for (const id of ['IngestFunction', 'FileDropFunction']) {
      const settings = readConfig(streamSettings, model('kafka').functions.get(id)!.environment);
      expect(settings).toMatchObject({ STREAM_ENGINE: 'kafka', KAFKA_BROKERS: ['127.0.0.1:9092'], TOPIC_PREFIX: 'ingest.' });
    }
  });
});

describe('StreamEngine=kinesis', () => {
  it('maps the validate function to one stream per source, named ledgerflow-<Stage>-<source>, and to no Kafka topic', () => {
    const { kafkaSources, kinesisSources } = model('kinesis', { Stage: 'prod' });
    expect(kafkaSources).toEqual([]);
    expect(kinesisSources.map((source) => source.streamName).sort()).toEqual(sourceNames().map((source) => streamForSource(kinesisStreamPrefix('prod'), source)).sort());
  });

  it('reads each stream with deliberate batching, bisection, bounded retries, partial batch responses and the lake as on-failure destination', () => {
    for (const source of model('kinesis').kinesisSources) {
      expect(source).toMatchObject({
        functionLogicalId: 'ValidateFunction',
        startingPosition: 'TRIM_HORIZON',
        batchSize: 1000,
        maximumBatchingWindowInSeconds: 1,
        parallelizationFactor: 2,
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 10,
        maximumRecordAgeInSeconds: 86_400,
        reportBatchItemFailures: true,
        onFailureDestination: 'arn:aws:s3:::LakeBucket',
      });
    }
  });

  it('gives ingest and file drop the Kinesis settings of the stream publisher, streams named as the template names them', () => {
    for (const id of ['IngestFunction', 'FileDropFunction']) {
      const settings = readConfig(streamSettings, model('kinesis', { Stage: 'local' }).functions.get(id)!.environment);
      expect(settings).toEqual({ STREAM_ENGINE: 'kinesis', KINESIS_STREAM_PREFIX: kinesisStreamPrefix('local'), KINESIS_ENDPOINT: '' });
    }
  });

  it('creates on-demand streams encrypted with the chosen KMS key, only under the kinesis condition', () => {
    const streams = ofType('AWS::Kinesis::Stream');
    expect(streams).toHaveLength(sourceNames().length);
    for (const [id, stream] of streams) {
      expect(stream.Condition, id).toBe('UseKinesis');
      expect(stream.Properties.StreamModeDetails).toEqual({ StreamMode: 'ON_DEMAND' });
      expect(stream.Properties.StreamEncryption).toEqual({ EncryptionType: 'KMS', KeyId: { Ref: 'KinesisKmsKeyArn' } });
    }
  });

  it('lets ingest and file drop only put records, and validate only read, on the source streams; KMS only for a customer managed key', () => {
    const streamArns = ofType('AWS::Kinesis::Stream').map(([id]) => ({ 'Fn::GetAtt': `${id}.Arn` }));
    const statements = (id: string) => resources[id].Properties.PolicyDocument.Statement as any[];
    const [put, putKey] = statements('KinesisPublishPolicy');
    expect(put).toMatchObject({ Action: 'kinesis:PutRecords', Resource: streamArns });
    expect(putKey['Fn::If'][0]).toBe('UseKinesisCmk');
    expect(putKey['Fn::If'][1]).toMatchObject({ Action: 'kms:GenerateDataKey', Resource: { Ref: 'KinesisKmsKeyArn' } });
    const [read, readKey] = statements('KinesisReadPolicy');
    expect(read.Resource).toEqual(streamArns);
    expect([read.Action].flat().every((action: string) => /^kinesis:(Describe|Get|List)/.test(action))).toBe(true);
    expect(readKey['Fn::If'][1]).toMatchObject({ Action: 'kms:Decrypt' });
    const policiesOf = (id: string) => JSON.stringify(resources[id].Properties.Policies);
    for (const id of ['IngestFunction', 'FileDropFunction']) expect(policiesOf(id)).toContain('{"Fn::If":["UseKinesis",{"Ref":"KinesisPublishPolicy"}');
    expect(policiesOf('ValidateFunction')).toContain('{"Fn::If":["UseKinesis",{"Ref":"KinesisReadPolicy"}');
  });
});
