import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kafkaEventSchema } from '../../../functions/validate/kafka-event.ts';
import { decodeStreamEnvelope } from '#lib/stream-envelope.ts';
import { loadEvent } from '../../fixtures/events.ts';
import { readTemplateYaml } from '../../fixtures/template-yaml.ts';

const template = readTemplateYaml();
const resources = Object.entries(template.Resources as Record<string, any>);
const functions = resources.filter(([, resource]) => resource.Type === 'AWS::Serverless::Function');

describe('template', () => {
  it('declares the three functions under their stable logical ids', () => {
    expect(functions.map(([id]) => id)).toEqual(expect.arrayContaining(['IngestFunction', 'ValidateFunction', 'MergeTriggerFunction', 'FileDropFunction']));
  });

  it('targets a supported Node.js runtime', () => {
    const runtime: string = template.Globals.Function.Runtime;
    expect(Number(runtime.match(/^nodejs(\d+)\.x$/)?.[1])).toBeGreaterThanOrEqual(22);
  });

  for (const [id, resource] of functions) {
    describe(id, () => {
      const codeUri: string = resource.Properties.CodeUri;
      const entry = join(codeUri, resource.Metadata.BuildProperties.EntryPoints[0]);

      it('is built by esbuild from an entry point that exists', () => {
        expect(resource.Metadata.BuildMethod).toBe('esbuild');
        expect(existsSync(entry)).toBe(true);
      });

      it('is built in place from its own folder, which has no package.json for sam build to install', () => {
        expect(codeUri).toMatch(/^functions\/[a-z-]+\/$/);
        expect(existsSync(join(codeUri, 'package.json'))).toBe(false);
      });

      it('has no card-token key and no secret resolution in its environment', () => {
        const variables = resource.Properties.Environment?.Variables ?? {};
        expect(variables).not.toHaveProperty('CARD_TOKEN_KEY');
        expect(variables.LOCAL_CARD_TOKEN_KEY ?? '').toBe('');
        expect(JSON.stringify(variables)).not.toContain('{{resolve:');
      });

      it('exports the handler its Handler property names', async () => {
        const [file, exportName] = (resource.Properties.Handler as string).split('.');
        expect(file).toBe(basename(entry, '.ts'));
        const module = await import(`../../../${entry}`);
        expect(typeof module[exportName!]).toBe('function');
        // Importing a handler loads its whole dependency graph (the Kafka client compiles validators): seconds on a busy machine.
      }, 30_000);

      it('has an explicit log group with retention', () => {
        const logGroup = resource.Properties.LoggingConfig.LogGroup.Ref;
        expect(template.Resources[logGroup].Properties.RetentionInDays).toBeDefined();
      });

      it('grants no action on every resource and no broad managed policy', () => {
        const policies: any[] = resource.Properties.Policies ?? [];
        const text = JSON.stringify(policies);
        expect(text).not.toMatch(/FullAccess|AdministratorAccess|PowerUser/);
        for (const statement of policies.flatMap((policy) => policy.Statement ?? [])) {
          expect(statement.Resource, `${id} ${statement.Sid}`).not.toBe('*');
          expect([statement.Action].flat(), `${id} ${statement.Sid}`).not.toContain('s3:*');
        }
      });
    });
  }

  it('keeps secrets out of the Globals environment', () => {
    expect(JSON.stringify(template.Globals.Function.Environment)).not.toMatch(/CARD_TOKEN_KEY|\{\{resolve:/);
  });

  it('gives the functions that tokenise cards the secret\'s ARN and the policy that reads it', () => {
    const readers = functions.filter(([, resource]) => resource.Properties.Environment?.Variables?.CARD_TOKEN_KEY_SECRET);
    expect(readers.map(([id]) => id).sort()).toEqual(['FileDropFunction', 'IngestFunction', 'ValidateFunction']);
    for (const [id, resource] of readers) {
      expect(resource.Properties.Environment.Variables.CARD_TOKEN_KEY_SECRET, id).toEqual({ Ref: 'CardTokenKeySecret' });
      expect(resource.Properties.Policies, id).toContainEqual({ Ref: 'CardTokenKeyReadPolicy' });
    }
  });

  it('lets the read policy get that one secret and decrypt with its key only through Secrets Manager', () => {
    const statements = template.Resources.CardTokenKeyReadPolicy.Properties.PolicyDocument.Statement;
    expect(statements).toEqual([
      { Sid: 'ReadCardTokenKeySecret', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: 'CardTokenKeySecret' } },
      {
        Sid: 'DecryptCardTokenKeySecret',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': 'CardTokenKeyEncryptionKey.Arn' },
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'secretsmanager.${AWS::Region}.amazonaws.com' } } },
      },
    ]);
  });

  it('encrypts the card-token secret with a customer-managed KMS key that rotates', () => {
    const secret = template.Resources.CardTokenKeySecret;
    const key = template.Resources.CardTokenKeyEncryptionKey;
    expect(secret.Properties.KmsKeyId).toEqual({ Ref: 'CardTokenKeyEncryptionKey' });
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect([secret.DeletionPolicy, key.DeletionPolicy]).toEqual(['Retain', 'Retain']);
  });

  it('scopes the validate function\'s on-failure statement to the prefix Lambda writes failure records to', () => {
    const [, validate] = functions.find(([id]) => id === 'ValidateFunction')!;
    const statements = validate.Properties.Policies.flatMap((p: any) => p.Statement ?? []);
    const onFailure = statements.find((s: any) => s.Sid === 'OnFailureDestination');
    expect(onFailure).toMatchObject({ Action: 's3:PutObject', Resource: { 'Fn::Sub': '${LakeBucket.Arn}/aws/lambda/*' } });
    const objectResources = statements.flatMap((s: any) => [s.Resource].flat()).map((r: any) => r['Fn::Sub']).filter(Boolean);
    expect(objectResources).not.toContain('${LakeBucket.Arn}/*');
  });

  it('gives every checkov skip a check id and a one-line reason', () => {
    const skips = resources.flatMap(([id, resource]) => (resource.Metadata?.checkov?.skip ?? []).map((skip: any) => ({ id, skip })));
    expect(skips.length).toBeGreaterThan(0);
    for (const { id, skip } of skips) {
      expect(skip.id, id).toMatch(/^CKV2?_AWS_\d+$/);
      expect(skip.comment, `${id} ${skip.id}`).toMatch(/^[^\n]{20,}$/);
    }
  });

  it('limits the validate function to writing landing and quarantine objects', () => {
    const [, validate] = functions.find(([id]) => id === 'ValidateFunction')!;
    const write = validate.Properties.Policies.flatMap((p: any) => p.Statement ?? []).find((s: any) => s.Sid === 'WriteLandingAndQuarantine');
    expect(write.Action).toBe('s3:PutObject');
    expect(write.Resource.map((r: any) => r['Fn::Sub'])).toEqual(['${LakeBucket.Arn}/landing/*', '${LakeBucket.Arn}/quarantine/*']);
  });

  it('feeds the validate function from one Kafka mapping per source topic, MSK or self-managed by condition', () => {
    const mappings = resources.filter(([, r]) => r.Type === 'AWS::Lambda::EventSourceMapping' && r.Properties.Topics);
    expect(mappings.every(([, r]) => r.Condition === 'UseKafka')).toBe(true);
    const topics = mappings.map(([, r]) => r.Properties.Topics[0]['Fn::Sub']).sort();
    expect(topics).toEqual(['${TopicPrefix}claims', '${TopicPrefix}policies', '${TopicPrefix}transactions']);
    for (const [, mapping] of mappings) {
      expect(mapping.Properties.EventSourceArn['Fn::If'][0]).toBe('UseMsk');
      expect(mapping.Properties.SelfManagedEventSource['Fn::If'][0]).toBe('UseMsk');
      expect(mapping.Properties.DestinationConfig.OnFailure.Destination).toBeDefined();
    }
  });

  it('gives each Kafka mapping a consumer group id of its own, as AWS requires', () => {
    const mappings = resources.filter(([, r]) => r.Type === 'AWS::Lambda::EventSourceMapping' && r.Properties.Topics);
    const groupIds = mappings.flatMap(([, r]) => {
      const msk = r.Properties.AmazonManagedKafkaEventSourceConfig['Fn::If'][1].ConsumerGroupId['Fn::Sub'];
      const selfManaged = r.Properties.SelfManagedKafkaEventSourceConfig['Fn::If'][2].ConsumerGroupId['Fn::Sub'];
      expect(msk).toBe(selfManaged);
      return [msk];
    });
    expect(new Set(groupIds).size).toBe(mappings.length);
  });

  it('sends failed asynchronous invocations of the S3-triggered functions to the lake bucket after two retries', () => {
    for (const id of ['MergeTriggerFunction', 'FileDropFunction']) {
      const [, fn] = functions.find(([candidate]) => candidate === id)!;
      // S3 events and EventBridge schedules both invoke asynchronously.
      expect(Object.values(fn.Properties.Events).every((event: any) => ['S3', 'Schedule'].includes(event.Type)), id).toBe(true);
      expect(fn.Properties.EventInvokeConfig, id).toEqual({
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 21600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': 'LakeBucket.Arn' } } },
      });
    }
  });

  it('lets the S3-triggered functions write only their own on-failure prefix of the lake bucket', () => {
    const bucketArn = 'arn:${AWS::Partition}:s3:::${AWS::StackName}-lake-${AWS::AccountId}-${AWS::Region}';
    for (const id of ['MergeTriggerFunction', 'FileDropFunction']) {
      const [, fn] = functions.find(([candidate]) => candidate === id)!;
      const statements = fn.Properties.Policies.flatMap((p: any) => p.Statement ?? []);
      expect(statements.find((s: any) => s.Sid === 'OnFailureDestination'), id).toMatchObject({ Action: 's3:PutObject', Resource: { 'Fn::Sub': `${bucketArn}/aws/lambda/async/*` } });
      expect(statements.find((s: any) => s.Sid === 'OnFailureDestinationBucket'), id).toMatchObject({ Action: 's3:ListBucket', Resource: { 'Fn::Sub': bucketArn } });
    }
  });

  it('triggers the merge only for objects under the landing prefix', () => {
    const [, trigger] = functions.find(([id]) => id === 'MergeTriggerFunction')!;
    const s3Event = trigger.Properties.Events.LandingObjectCreated.Properties;
    expect(s3Event.Filter.S3Key.Rules).toEqual([{ Name: 'prefix', Value: 'landing/' }]);
  });

  it('serves GET /openapi.json on the ingest API without auth, and every other route with the JWT authorizer', () => {
    const routes = functions.flatMap(([id, resource]) =>
      Object.values(resource.Properties.Events ?? {}).filter((event: any) => event.Type === 'HttpApi').map((event: any) => ({ id, ...event.Properties })),
    );
    const open = routes.filter((route) => route.Auth?.Authorizer === 'NONE');

    expect(open).toEqual([{ id: 'OpenApiFunction', ApiId: { Ref: 'IngestApi' }, Path: '/openapi.json', Method: 'GET', Auth: { Authorizer: 'NONE' } }]);
    expect(routes.filter((route) => route.Auth === undefined).length).toBe(routes.length - 1);
    expect(template.Resources.IngestApi.Properties.Auth.DefaultAuthorizer).toBe('JwtAuthorizer');
  });

  it('keeps the lake bucket encrypted, private and TLS-only', () => {
    const bucket = template.Resources.LakeBucket.Properties;
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    expect(Object.values(bucket.PublicAccessBlockConfiguration)).toEqual([true, true, true, true]);
    const deny = template.Resources.LakeBucketPolicy.Properties.PolicyDocument.Statement[0];
    expect(deny).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });
});

describe('event fixtures', () => {
  const fixtures = readdirSync('events').map((file) => basename(file, '.json'));

  it('has a fixture for every function', () => {
    expect(fixtures.some((f) => f.startsWith('ingest-'))).toBe(true);
    expect(fixtures.some((f) => f.startsWith('validate-'))).toBe(true);
    expect(fixtures.some((f) => f.startsWith('merge-trigger-'))).toBe(true);
    expect(fixtures.some((f) => f.startsWith('file-drop-'))).toBe(true);
    expect(fixtures.some((f) => f.startsWith('openapi-'))).toBe(true);
  });

  it('openapi-get is an HTTP API payload 2.0 event for the document route, stage prefix in rawPath', () => {
    const event = loadEvent('openapi-get');
    expect(event).toMatchObject({ version: '2.0', routeKey: 'GET /openapi.json', rawPath: '/dev/openapi.json', isBase64Encoded: false });
    expect(event.requestContext).toMatchObject({ http: { method: 'GET', path: '/dev/openapi.json' }, stage: 'dev', routeKey: 'GET /openapi.json' });
    expect(event.requestContext.authorizer).toBeUndefined();
  });

  for (const name of fixtures.filter((f) => f.startsWith('ingest-'))) {
    it(`${name} is an HTTP API payload 2.0 event for the ingest route`, () => {
      const event = loadEvent(name);
      expect(event).toMatchObject({ version: '2.0', routeKey: 'POST /v1/sources/{source}/records', isBase64Encoded: false });
      expect(event.requestContext).toMatchObject({ http: { method: 'POST' }, stage: expect.any(String), requestId: expect.any(String) });
      expect(Object.keys(event.headers).every((header) => header === header.toLowerCase())).toBe(true);
    });
  }

  it('validate-kinesis has the shape of `sam local generate-event kinesis get-records`', () => {
    for (const record of loadEvent('validate-kinesis').Records) {
      expect(Object.keys(record.kinesis).sort()).toEqual(['approximateArrivalTimestamp', 'data', 'kinesisSchemaVersion', 'partitionKey', 'sequenceNumber']);
      expect(record).toMatchObject({ eventSource: 'aws:kinesis', eventVersion: '1.0', eventName: 'aws:kinesis:record', eventID: `shardId-000000000000:${record.kinesis.sequenceNumber}` });
      expect(record.eventSourceARN).toMatch(/^arn:aws:kinesis:[a-z0-9-]+:\d{12}:stream\//);
      // Data in the ingest envelope (layers/lib/stream-envelope.ts), or bare as a producer writing to the stream directly would send it.
      const { value } = decodeStreamEnvelope(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')));
      expect((value as { transactionId: string }).transactionId).toBe(record.kinesis.partitionKey);
    }
  });

  for (const name of fixtures.filter((f) => f.startsWith('validate-') && f !== 'validate-kinesis')) {
    it(`${name} is a Kafka event source event`, () => {
      const event = kafkaEventSchema.parse(loadEvent(name));
      for (const [group, records] of Object.entries(event.records)) {
        for (const record of records) expect(group).toBe(`${record.topic}-${record.partition}`);
      }
      if (event.eventSource === 'aws:kafka') expect(event.eventSourceArn).toMatch(/^arn:aws:kafka:/);
      else expect(event.bootstrapServers).toBeTruthy();
    });
  }

  const scheduled = (name: string) => name.endsWith('-sweep');

  for (const name of fixtures.filter(scheduled)) {
    it(`${name} is an EventBridge scheduled event`, () => {
      expect(loadEvent(name)).toEqual({
        version: '0',
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: expect.stringMatching(/^\d{12}$/),
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/),
        region: expect.any(String),
        resources: [expect.stringMatching(/^arn:aws:events:[a-z0-9-]+:\d{12}:rule\//)],
        detail: {},
      });
    });
  }

  for (const name of fixtures.filter((f) => (f.startsWith('merge-trigger-') && !scheduled(f)) || f.startsWith('file-drop-'))) {
    it(`${name} is an S3 event notification`, () => {
      for (const record of loadEvent(name).Records) {
        expect(record).toMatchObject({ eventVersion: '2.1', eventSource: 'aws:s3', eventName: expect.stringMatching(/^ObjectCreated:/) });
        expect(record.s3).toMatchObject({ s3SchemaVersion: '1.0', bucket: { name: expect.any(String) }, object: { key: expect.any(String), sequencer: expect.any(String) } });
      }
    });
  }
});
