import { describe, expect, it } from 'vitest';
import { kafkaSecurityModes } from '#lib/kafka-security.ts';
import { readTemplateYaml } from '../../fixtures/template-yaml.ts';

const template = readTemplateYaml();
const resource = (id: string) => template.Resources[id];
const kafkaMappings = Object.entries(template.Resources as Record<string, any>).filter(([, r]) => r.Type === 'AWS::Lambda::EventSourceMapping' && r.Properties.Topics);
const statements = (policyId: string) => resource(policyId).Properties.PolicyDocument.Statement as any[];
const actionsOn = (policyId: string) => Object.fromEntries(statements(policyId).map((s) => [s.Sid, [...s.Action].sort()]));

describe('template: Kafka security', () => {
  it('offers exactly the producer security modes the code knows', () => {
    expect(template.Parameters.KafkaSecurity.AllowedValues).toEqual([...kafkaSecurityModes]);
  });

  for (const id of ['IngestFunction', 'FileDropFunction']) {
    it(`${id} gets the security mode and the SCRAM secret, and declares the local-only variables empty`, () => {
      const variables = resource(id).Properties.Environment.Variables;

      expect(variables).toMatchObject({
        KAFKA_SECURITY: { Ref: 'KafkaSecurity' },
        KAFKA_SCRAM_SECRET: { Ref: 'KafkaScramSecretArn' },
        LOCAL_KAFKA_SCRAM_USERNAME: '',
        LOCAL_KAFKA_SCRAM_PASSWORD: '',
        KAFKA_CA_FILE: '',
      });
    });

    it(`${id} may publish to MSK with IAM and read the SCRAM secret, each only when configured`, () => {
      const policies = resource(id).Properties.Policies;

      expect(policies).toContainEqual({ 'Fn::If': ['UseMsk', { Ref: 'KafkaPublishIamPolicy' }, { Ref: 'AWS::NoValue' }] });
      expect(policies).toContainEqual({ 'Fn::If': ['UseKafkaScram', { Ref: 'KafkaSecretsReadPolicy' }, { Ref: 'AWS::NoValue' }] });
    });
  }

  it('lets the producers connect, describe and write idempotently on the cluster, and describe and write the ingest topics only', () => {
    expect(resource('KafkaPublishIamPolicy').Condition).toBe('UseMsk');
    expect(actionsOn('KafkaPublishIamPolicy')).toEqual({
      ConnectToCluster: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster', 'kafka-cluster:WriteDataIdempotently'],
      WriteIngestTopics: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
    });
    expect(statements('KafkaPublishIamPolicy')[0].Resource).toEqual({ Ref: 'MskClusterArn' });
    expect(statements('KafkaPublishIamPolicy')[1].Resource['Fn::Sub'][0]).toBe('${Base}:topic/${Cluster}/${TopicPrefix}*');
  });

  it('lets the validate mappings read the ingest topics as the validate consumer groups only', () => {
    expect(resource('ValidateFunction').Properties.Policies).toContainEqual({ 'Fn::If': ['UseMsk', { Ref: 'KafkaConsumeIamPolicy' }, { Ref: 'AWS::NoValue' }] });
    expect(actionsOn('KafkaConsumeIamPolicy')).toEqual({
      ConnectToCluster: ['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'],
      ReadIngestTopics: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
      UseValidateGroups: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
    });
    const [topics, groups] = [1, 2].map((index) => statements('KafkaConsumeIamPolicy')[index].Resource['Fn::Sub'][0]);
    expect([topics, groups]).toEqual(['${Base}:topic/${Cluster}/${TopicPrefix}*', '${Base}:group/${Cluster}/ledgerflow-${Stage}-validate-*']);
  });

  for (const [id, mapping] of kafkaMappings) {
    describe(id, () => {
      const entries = mapping.Properties.SourceAccessConfigurations.map((entry: any) => entry['Fn::If']);

      it('authenticates with the SCRAM secret, the client certificate and the root CA when each is given', () => {
        expect(entries.slice(0, 3).map(([condition, value]: any[]) => [condition, value.Type, value.URI.Ref])).toEqual([
          ['UseKafkaScram', 'SASL_SCRAM_512_AUTH', 'KafkaScramSecretArn'],
          ['UseKafkaClientCertificate', 'CLIENT_CERTIFICATE_TLS_AUTH', 'KafkaClientCertificateSecretArn'],
          ['UseKafkaRootCa', 'SERVER_ROOT_CA_CERTIFICATE', 'KafkaRootCaSecretArn'],
        ]);
      });

      it('names every subnet and security group given, up to three of each', () => {
        const network = entries.slice(3).map(([condition, value]: any[]) => [condition, value.Type, value.URI['Fn::Sub'][1].Id['Fn::Select'][0]]);

        expect(network).toEqual([
          ...[0, 1, 2].map((index) => [`UseKafkaSubnet${index + 1}`, 'VPC_SUBNET', index]),
          ...[0, 1, 2].map((index) => [`UseKafkaSecurityGroup${index + 1}`, 'VPC_SECURITY_GROUP', index]),
        ]);
      });
    });
  }

  it('gives self-managed mappings their network and root CA only, since MSK mappings use the cluster own', () => {
    const conditions = template.Conditions;
    for (const name of ['UseKafkaSubnet1', 'UseKafkaSubnet3', 'UseKafkaSecurityGroup2', 'UseKafkaRootCa']) {
      expect(conditions[name]['Fn::And'][0], name).toEqual({ Condition: 'UseSelfManagedKafka' });
    }
  });
});
