import type { ParameterValue } from './intrinsics.ts';

/** esbuild settings from a function's `Metadata.BuildProperties`, as `sam build` reads them. */
export interface EsbuildProperties {
  entryPoints: string[];
  format?: 'esm' | 'cjs' | 'iife';
  minify?: boolean;
  target?: string;
  sourcemap?: boolean;
  banner?: Record<string, string>;
  footer?: Record<string, string>;
  outExtension?: Record<string, string>;
  external?: string[];
  loader?: Record<string, string>;
  alias?: Record<string, string>;
  mainFields?: string[];
  platform?: 'node' | 'neutral' | 'browser';
  /** ESM only: modules reached by dynamic `import()` go to chunks loaded when first imported. */
  splitting?: boolean;
  chunkNames?: string;
}

export interface FunctionDefinition {
  logicalId: string;
  /** FunctionName when the template sets one, else the logical id (as `sam local`). */
  functionName: string;
  handler: string;
  runtime: string;
  timeoutSeconds: number;
  memorySize: number;
  architectures: string[];
  /** Absolute path of CodeUri. */
  codeUri: string;
  /** Environment.Variables after Globals and intrinsics, before env.json. */
  environment: Record<string, string>;
  /** Template references per variable (`!Ref LakeBucket` -> LakeBucket), to map local resource names. */
  environmentRefs: Record<string, string>;
  build?: EsbuildProperties;
  /** How asynchronous invocations are retried and where their failures go (`EventInvokeConfig`). */
  asyncInvoke: AsyncInvokeConfig;
}

/** `EventInvokeConfig`, with Lambda's defaults where the template is silent. */
export interface AsyncInvokeConfig {
  /** 0 to 2 retries after the first attempt (default 2). */
  maximumRetryAttempts: number;
  /** 60 to 21600 seconds an event may wait in the queue (default 21600). */
  maximumEventAgeInSeconds: number;
  /** ARN of the on-failure destination; only S3 buckets are written locally. */
  onFailureDestination?: string;
}

export interface JwtAuthorizerDefinition {
  name: string;
  issuer: string;
  audience: string[];
  /** Only `$request.header.<Name>` sources are read locally. */
  identitySource: string;
}

export interface ApiDefinition {
  logicalId: string;
  kind: 'HttpApi' | 'Api';
  stageName: string;
  defaultAuthorizer?: string;
  authorizers: Map<string, JwtAuthorizerDefinition>;
}

export interface RouteDefinition {
  functionLogicalId: string;
  eventName: string;
  apiLogicalId: string;
  kind: 'HttpApi' | 'Api';
  /** Upper case, or ANY. */
  method: string;
  /** `/v1/sources/{source}/records`, or `$default` for an HTTP API's catch-all route. */
  path: string;
  payloadFormatVersion: '1.0' | '2.0';
  /** Authorizer name, or undefined when the route is open. */
  authorizer?: string;
  authorizationScopes: string[];
  timeoutMs: number;
}

export interface KafkaSourceDefinition {
  /** Logical id of the mapping, or `<Function>.<Event>` for a SAM event. */
  id: string;
  uuid: string;
  functionLogicalId: string;
  kind: 'msk' | 'self-managed';
  eventSourceArn?: string;
  /** Brokers named by the template (self-managed), empty for MSK. */
  bootstrapServers: string[];
  topics: string[];
  consumerGroupId: string;
  startingPosition: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  startingPositionTimestamp?: number;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  enabled: boolean;
  /** -1 is infinite (AWS's default); with an on-failure destination AWS caps it at 10. */
  maximumRetryAttempts: number;
  maximumRecordAgeInSeconds: number;
  bisectBatchOnFunctionError: boolean;
  reportBatchItemFailures: boolean;
  onFailureDestination?: string;
  /** Types of SourceAccessConfigurations (VPC, SASL, TLS): not applied locally. */
  sourceAccessConfigurations: string[];
}

/** A Kinesis event source: a SAM `Kinesis` event or an `AWS::Lambda::EventSourceMapping` with a stream ARN. */
export interface KinesisSourceDefinition {
  /** Logical id of the mapping, or `<Function>.<Event>` for a SAM event. */
  id: string;
  uuid: string;
  functionLogicalId: string;
  /** `arn:aws:kinesis:<region>:<account>:stream/<name>`; the local stream has the same name. */
  streamArn: string;
  streamName: string;
  startingPosition: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  /** Unix seconds, for AT_TIMESTAMP. */
  startingPositionTimestamp?: number;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  enabled: boolean;
  /** -1 is infinite (AWS's default for Kinesis). */
  maximumRetryAttempts: number;
  maximumRecordAgeInSeconds: number;
  bisectBatchOnFunctionError: boolean;
  reportBatchItemFailures: boolean;
  parallelizationFactor: number;
  onFailureDestination?: string;
}

export interface S3SourceDefinition {
  id: string;
  functionLogicalId: string;
  eventName: string;
  /** Logical id of the AWS::S3::Bucket the event names. */
  bucketLogicalId: string;
  events: string[];
  prefix?: string;
  suffix?: string;
}

/** A `Schedule` event (an EventBridge scheduled rule): the function is invoked asynchronously on a schedule. */
export interface ScheduleSourceDefinition {
  id: string;
  functionLogicalId: string;
  eventName: string;
  /** The schedule expression, e.g. `rate(10 minutes)` or `cron(0 12 * * ? *)`. */
  schedule: string;
  /** `Enabled: false` or `State: DISABLED` turns the rule off. */
  enabled: boolean;
}

export interface TemplateModel {
  templatePath: string;
  templateDir: string;
  parameters: ReadonlyMap<string, ParameterValue>;
  pseudo: Readonly<Record<string, string>>;
  functions: ReadonlyMap<string, FunctionDefinition>;
  apis: ReadonlyMap<string, ApiDefinition>;
  routes: RouteDefinition[];
  kafkaSources: KafkaSourceDefinition[];
  kinesisSources: KinesisSourceDefinition[];
  s3Sources: S3SourceDefinition[];
  scheduleSources: ScheduleSourceDefinition[];
  /** Logical ids of the template's S3 buckets. */
  buckets: string[];
}
