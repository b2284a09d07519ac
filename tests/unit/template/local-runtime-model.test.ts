import { describe, expect, it } from 'vitest';
import { findAuthorizer, issueLocalToken, loadTemplate, verifyJwt } from '@ledgerflow/lambda-runtime';

/** template.yaml as the Docker-free runtime reads it (`npm run local:*`). */
const model = (overrides: Record<string, string> = {}) => loadTemplate({ templatePath: 'template.yaml', parameterOverrides: overrides });

describe('template model of template.yaml', () => {
  // How the runtime reads a template is the package's own test; these are this template's facts.
  it('has the pipeline functions, with Globals applied and the lake bucket resolved for validation', () => {
    const { functions } = model();
    expect([...functions.keys()]).toEqual(expect.arrayContaining(['IngestFunction', 'ValidateFunction', 'MergeTriggerFunction', 'FileDropFunction']));
    const validate = functions.get('ValidateFunction')!;
    expect(validate).toMatchObject({ runtime: 'nodejs22.x', architectures: ['arm64'] });
    expect(validate.environment).toMatchObject({ TOPIC_PREFIX: 'ingest.', POWERTOOLS_SERVICE_NAME: 'validate', CARD_TOKEN_KEY_SECRET: 'CardTokenKeySecret' });
    expect(validate.environmentRefs.LAKE_BUCKET).toBe('LakeBucket');
    expect(model({ Stage: 'local' }).functions.get('ValidateFunction')!.environment.STAGE).toBe('local');
  });

  it('bundles every function as an ES module that can require CommonJS dependencies', () => {
    for (const fn of model().functions.values()) {
      expect(fn.build, fn.logicalId).toMatchObject({ format: 'esm', outExtension: { '.js': '.mjs' } });
      expect(fn.build!.banner?.js, fn.logicalId).toContain('createRequire');
    }
  });

  it('serves the ingest route behind the JWT authorizer with issuer and audience from the parameters', () => {
    const { routes, apis } = model();
    const route = routes.find((candidate) => candidate.functionLogicalId === 'IngestFunction')!;
    expect(route).toMatchObject({ method: 'POST', path: '/v1/sources/{source}/records', payloadFormatVersion: '2.0', authorizer: 'JwtAuthorizer', apiLogicalId: 'IngestApi' });
    expect(apis.get('IngestApi')!.authorizers.get('JwtAuthorizer')).toMatchObject({ issuer: 'https://ledgerflow.local/issuer', audience: ['ledgerflow-ingest'], identitySource: '$request.header.Authorization' });
    expect(apis.get('IngestApi')!.stageName).toBe('dev');
  });

  it('evaluates UseMsk false: self-managed mappings with brokers split from the parameter, AWS::NoValue removed', () => {
    const sources = model().kafkaSources;
    expect(sources.map((source) => source.topics[0]).sort()).toEqual(['ingest.claims', 'ingest.policies', 'ingest.transactions']);
    for (const source of sources) {
      expect(source).toMatchObject({ kind: 'self-managed', functionLogicalId: 'ValidateFunction', bootstrapServers: ['127.0.0.1:9092'], consumerGroupId: `ledgerflow-dev-validate-${source.topics[0]!.replace('ingest.', '')}`, startingPosition: 'TRIM_HORIZON', batchSize: 1000, maximumBatchingWindowInSeconds: 1 });
      expect(source.eventSourceArn).toBeUndefined();
      expect(source.onFailureDestination).toBe('arn:aws:s3:::LakeBucket');
      // With an on-failure destination and infinite retries, AWS caps retries at 10.
      expect(source.maximumRetryAttempts).toBe(10);
    }
  });

  it('evaluates UseMsk true when a cluster ARN is given', () => {
    const arn = 'arn:aws:kafka:us-east-1:123456789012:cluster/ledgerflow/abc';
    const source = model({ MskClusterArn: arn }).kafkaSources[0]!;
    expect(source).toMatchObject({ kind: 'msk', eventSourceArn: arn, bootstrapServers: [] });
  });

  it('maps the merge trigger S3 event to the lake bucket with the landing/ prefix', () => {
    const source = model().s3Sources.find((candidate) => candidate.functionLogicalId === 'MergeTriggerFunction')!;
    expect(source).toMatchObject({ bucketLogicalId: 'LakeBucket', events: ['s3:ObjectCreated:*'], prefix: 'landing/' });
  });
});

describe('local bearer tokens for template.yaml', () => {
  it('are issued for the ingest API authorizer, which accepts them', () => {
    const authorizer = findAuthorizer(model());
    const secret = 'a-test-secret-0123456789';
    const token = issueLocalToken(authorizer, { secret });
    expect(verifyJwt(token, { secret, issuer: authorizer.issuer, audience: authorizer.audience })).toMatchObject({ ok: true, claims: { iss: 'https://ledgerflow.local/issuer', aud: 'ledgerflow-ingest', sub: 'local-producer' } });
  });
});
