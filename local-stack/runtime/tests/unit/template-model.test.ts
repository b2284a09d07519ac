import { describe, expect, it } from 'vitest';
import { esbuildOptions } from '../../build/build-function.ts';
import { parseCfnYaml } from '../../template/cfn-yaml.ts';
import { buildModel, loadTemplate } from '../../template/load-template.ts';
import { parseParameterOverrides } from '../../template/parameters.ts';
import { TemplateError } from '../../template/template-error.ts';
import { fixtureTemplate } from '../support.ts';

const model = (overrides: Record<string, string> = {}) => loadTemplate({ templatePath: fixtureTemplate('pipeline'), parameterOverrides: overrides });

/** A minimal template around the given resources, for error cases. */
function inline(resources: string, extra = ''): ReturnType<typeof buildModel> {
  const text = `Transform: AWS::Serverless-2016-10-31\n${extra}\nResources:\n${resources}`;
  return buildModel(parseCfnYaml(text, 'inline.yaml'), '/tmp/inline.yaml', {});
}

const fn = (body = '') => `  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs22.x\n      Handler: index.handler\n      CodeUri: ./\n${body}`;

describe('template model of a SAM template', () => {
  it('finds the functions with handler, runtime, timeout and memory after Globals', () => {
    const { functions } = model();
    expect([...functions.keys()]).toEqual(['ProduceFunction', 'ConsumeFunction', 'ArchiveFunction']);
    expect(functions.get('ConsumeFunction')).toMatchObject({ handler: 'handler.handler', runtime: 'nodejs22.x', timeoutSeconds: 120, memorySize: 1024, architectures: ['arm64'] });
    expect(functions.get('ProduceFunction')!.timeoutSeconds).toBe(30);
  });

  it('merges Globals environment variables with the function own and resolves Ref to parameters and resources', () => {
    const consume = model().functions.get('ConsumeFunction')!;
    expect(consume.environment).toMatchObject({
      NODE_OPTIONS: '--enable-source-maps',
      STAGE: 'dev',
      TOPIC_PREFIX: 'orders.',
      SERVICE_NAME: 'consume',
      DATA_BUCKET: 'DataBucket',
      SIGNING_KEY: '{{resolve:secretsmanager:SigningKeySecret:SecretString}}',
    });
    expect(consume.environmentRefs.DATA_BUCKET).toBe('DataBucket');
  });

  it('applies parameter overrides', () => {
    expect(model({ Stage: 'local' }).functions.get('ConsumeFunction')!.environment.STAGE).toBe('local');
  });

  it('reads the esbuild metadata like sam build', () => {
    const build = model().functions.get('ProduceFunction')!.build!;
    expect(build).toMatchObject({ entryPoints: ['src/produce.ts'], format: 'esm', minify: true, target: 'es2022', sourcemap: true, mainFields: ['module', 'main'], outExtension: { '.js': '.mjs' }, alias: { 'left-pad': './src/left-pad.js' } });
    expect(build.banner?.js).toContain('createRequire');
  });

  it('reads Splitting and ChunkNames and passes them to esbuild, so chunks loaded by import() stay apart', () => {
    const metadata = '    Metadata:\n      BuildMethod: esbuild\n      BuildProperties:\n        EntryPoints: [index.ts]\n        Format: esm\n        Splitting: true\n        ChunkNames: chunks/[name]-[hash]\n';
    const definition = inline(fn() + metadata).functions.get('Fn')!;
    expect(definition.build).toMatchObject({ splitting: true, chunkNames: 'chunks/[name]-[hash]' });
    expect(esbuildOptions(definition, '/tmp/out')).toMatchObject({ splitting: true, chunkNames: 'chunks/[name]-[hash]' });
  });

  it('serves the HTTP API route behind the JWT authorizer with issuer and audience from the parameters', () => {
    const { routes, apis } = model();
    const route = routes.find((candidate) => candidate.functionLogicalId === 'ProduceFunction')!;
    expect(route).toMatchObject({ method: 'POST', path: '/v1/shops/{shop}/orders', payloadFormatVersion: '2.0', authorizer: 'JwtAuthorizer', apiLogicalId: 'OrdersApi' });
    expect(apis.get('OrdersApi')!.authorizers.get('JwtAuthorizer')).toMatchObject({ issuer: 'https://issuer.example', audience: ['orders-api'], identitySource: '$request.header.Authorization' });
    expect(apis.get('OrdersApi')!.stageName).toBe('dev');
  });

  it('evaluates a false condition: a self-managed mapping with brokers split from the parameter, AWS::NoValue removed', () => {
    const [source, ...others] = model({ BootstrapServers: '127.0.0.1:9092,127.0.0.1:9093' }).kafkaSources;
    expect(others).toEqual([]);
    expect(source).toMatchObject({ kind: 'self-managed', functionLogicalId: 'ConsumeFunction', topics: ['orders.created'], bootstrapServers: ['127.0.0.1:9092', '127.0.0.1:9093'], consumerGroupId: 'orders-dev-consume', startingPosition: 'TRIM_HORIZON', batchSize: 1000, maximumBatchingWindowInSeconds: 1 });
    expect(source!.eventSourceArn).toBeUndefined();
    expect(source!.onFailureDestination).toBe('arn:aws:s3:::DataBucket');
    // With an on-failure destination and infinite retries, AWS caps retries at 10.
    expect(source!.maximumRetryAttempts).toBe(10);
  });

  it('evaluates a true condition: an Amazon MSK mapping when a cluster ARN is given', () => {
    const arn = 'arn:aws:kafka:us-east-1:123456789012:cluster/orders/abc';
    const source = model({ ClusterArn: arn }).kafkaSources[0]!;
    expect(source).toMatchObject({ kind: 'msk', eventSourceArn: arn, bootstrapServers: [] });
  });

  it('maps an S3 event to its bucket with the key prefix filter', () => {
    const source = model().s3Sources.find((candidate) => candidate.functionLogicalId === 'ArchiveFunction')!;
    expect(source).toMatchObject({ bucketLogicalId: 'DataBucket', events: ['s3:ObjectCreated:*'], prefix: 'incoming/' });
  });
});

describe('Schedule events', () => {
  const schedule = (properties: string) => fn(`      Events:\n        Tick:\n          Type: Schedule\n          Properties: ${properties}\n`);

  it('reads the expression and whether the rule is enabled', () => {
    expect(inline(schedule('{ Schedule: rate(5 minutes) }')).scheduleSources).toEqual([{ id: 'Fn.Tick', functionLogicalId: 'Fn', eventName: 'Tick', schedule: 'rate(5 minutes)', enabled: true }]);
    expect(inline(schedule('{ Schedule: rate(5 minutes), Enabled: false }')).scheduleSources[0]!.enabled).toBe(false);
    expect(inline(schedule('{ Schedule: rate(5 minutes), State: DISABLED }')).scheduleSources[0]!.enabled).toBe(false);
  });

  it('rejects a missing expression and an Input it would not send', () => {
    expect(() => inline(schedule('{ Description: x }'))).toThrow(/Events\.Tick\.Properties\.Schedule: a Schedule event needs a Schedule expression/);
    expect(() => inline(schedule("{ Schedule: rate(5 minutes), Input: '{}' }"))).toThrow(/Input is not applied locally/);
  });
});

describe('Kinesis event sources', () => {
  const stream = (name = '') => `  Orders:\n    Type: AWS::Kinesis::Stream\n    Properties:\n      ShardCount: 2\n${name}`;

  it('reads a SAM Kinesis event with Lambda\'s Kinesis defaults, naming the stream by its Name and giving Ref the same name', () => {
    const events = '      Environment:\n        Variables:\n          STREAM: !Ref Orders\n      Events:\n        Stream:\n          Type: Kinesis\n          Properties:\n            Stream: !GetAtt Orders.Arn\n            StartingPosition: LATEST\n';
    const result = inline(`${fn(events)}${stream("      Name: !Sub '${AWS::StackName}-orders'\n")}`);
    expect(result.kinesisSources).toEqual([expect.objectContaining({
      id: 'Fn.Stream', functionLogicalId: 'Fn', streamName: 'local-orders', streamArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/local-orders',
      startingPosition: 'LATEST', batchSize: 100, maximumBatchingWindowInSeconds: 0, maximumRetryAttempts: -1, maximumRecordAgeInSeconds: -1,
      bisectBatchOnFunctionError: false, reportBatchItemFailures: false, parallelizationFactor: 1, enabled: true,
    })]);
    expect(result.functions.get('Fn')!.environment.STREAM).toBe('local-orders');
  });

  it('reads an event source mapping with a stream ARN and its failure handling settings', () => {
    const mapping = "  Mapping:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: !Ref Fn\n      EventSourceArn: !GetAtt Orders.Arn\n      StartingPosition: AT_TIMESTAMP\n      StartingPositionTimestamp: 1772366400\n      BatchSize: 500\n      MaximumBatchingWindowInSeconds: 1\n      MaximumRetryAttempts: 3\n      MaximumRecordAgeInSeconds: 3600\n      BisectBatchOnFunctionError: true\n      FunctionResponseTypes: [ReportBatchItemFailures]\n      ParallelizationFactor: 2\n      DestinationConfig: { OnFailure: { Destination: !GetAtt Dlq.Arn } }\n  Dlq:\n    Type: AWS::S3::Bucket\n";
    const [source] = inline(`${fn()}${stream()}${mapping}`).kinesisSources;
    expect(source).toMatchObject({
      id: 'Mapping', streamName: 'Orders', startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: 1772366400, batchSize: 500, maximumBatchingWindowInSeconds: 1,
      maximumRetryAttempts: 3, maximumRecordAgeInSeconds: 3600, bisectBatchOnFunctionError: true, reportBatchItemFailures: true, parallelizationFactor: 2, onFailureDestination: 'arn:aws:s3:::Dlq',
    });
  });

  it('rejects a Kinesis source without a StartingPosition, and FilterCriteria', () => {
    const event = (extra: string) => `      Events:\n        Stream:\n          Type: Kinesis\n          Properties:\n            Stream: !GetAtt Orders.Arn\n${extra}`;
    expect(() => inline(`${fn(event(''))}${stream()}`)).toThrow(/Events\.Stream\.Properties\.StartingPosition: StartingPosition "" is not TRIM_HORIZON, LATEST or AT_TIMESTAMP/);
    expect(() => inline(`${fn(event('            StartingPosition: LATEST\n            FilterCriteria: { Filters: [] }\n'))}${stream()}`)).toThrow(/FilterCriteria is not applied locally/);
  });
});

describe('template errors name the construct', () => {
  it('rejects a value outside AllowedValues', () => {
    expect(() => model({ Stage: 'qa' })).toThrow(/Parameters\.Stage: "qa" is not one of the AllowedValues \[local, dev, prod\]/);
  });

  it('rejects a value that breaks AllowedPattern', () => {
    expect(() => model({ TopicPrefix: 'bad prefix!' })).toThrow(/Parameters\.TopicPrefix: .* does not match AllowedPattern/);
  });

  it('rejects an override for a parameter the template does not declare', () => {
    expect(() => model({ Nope: '1' })).toThrow(/override for "Nope", which the template does not declare/);
  });

  it('rejects an unknown YAML tag', () => {
    expect(() => parseCfnYaml('Resources:\n  A: !Bogus x\n', 't.yaml')).toThrow(TemplateError);
  });

  it('rejects an event type it cannot run', () => {
    expect(() => inline(fn('      Events:\n        Changed:\n          Type: EventBridgeRule\n          Properties: { Pattern: { source: [my.app] } }\n'))).toThrow(/Resources\.Fn\.Properties\.Events\.Changed: event type EventBridgeRule is not run locally/);
  });

  it('rejects Fn::ImportValue with the reason', () => {
    expect(() => inline(fn('      Environment:\n        Variables:\n          X: !ImportValue other-stack-output\n'))).toThrow(/Fn::ImportValue imports an output of another stack/);
  });

  it('rejects a GetAtt attribute it cannot compute', () => {
    expect(() => inline(`${fn('      Environment:\n        Variables:\n          X: !GetAtt Bucket.WebsiteURL\n')}  Bucket:\n    Type: AWS::S3::Bucket\n`)).toThrow(/GetAtt Bucket\.WebsiteURL \(AWS::S3::Bucket\) is not supported locally/);
  });

  it('rejects a Ref to a resource whose condition is false', () => {
    const text = `${fn('      Environment:\n        Variables:\n          X: !Ref Queue\n')}  Queue:\n    Type: AWS::SQS::Queue\n    Condition: Never\n`;
    expect(() => inline(text, "Conditions:\n  Never: !Equals ['a', 'b']")).toThrow(/Ref to "Queue", which is neither a parameter nor a resource/);
  });

  it('rejects Lambda layers, whose code would be missing', () => {
    expect(() => inline(fn('      Layers: [arn:aws:lambda:us-east-1:123456789012:layer:deps:1]\n'))).toThrow(/Properties\.Layers: Lambda layers are not run locally/);
  });

  it('rejects a non-Node.js runtime', () => {
    expect(() => inline(fn('').replace('nodejs22.x', 'python3.12'))).toThrow(/runtime "python3.12" is not run locally/);
  });

  it('resolves Sub, Join, Select, Split, If and FindInMap', () => {
    const text = fn("      Environment:\n        Variables:\n          A: !Sub '${AWS::Region}-${Name}-${!Literal}'\n          B: !Join ['-', [x, !Select [1, !Split [',', 'p,q,r']]]]\n          C: !If [Yes, on, off]\n          D: !FindInMap [Sizes, small, mb]\n          E: !If [Yes, !Ref AWS::NoValue, kept]\n");
    const result = inline(text, "Parameters:\n  Name: { Type: String, Default: ledger }\nConditions:\n  Yes: !Equals [!Ref Name, ledger]\nMappings:\n  Sizes:\n    small: { mb: 128 }");
    expect(result.functions.get('Fn')!.environment).toEqual({ A: 'us-east-1-ledger-${Literal}', B: 'x-q', C: 'on', D: '128' });
  });
});

describe('parameter overrides', () => {
  it('reads K=V pairs, quoted values and the long form', () => {
    expect(parseParameterOverrides(['Stage=local JobSubmitter=local', 'Name="two words"', 'ParameterKey=Other,ParameterValue=x'])).toEqual({ Stage: 'local', JobSubmitter: 'local', Name: 'two words', Other: 'x' });
  });
});
