import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseCfnYaml } from './cfn-yaml.ts';
import { IntrinsicResolver, NO_VALUE, stableUuid } from './intrinsics.ts';
import type {
  ApiDefinition, AsyncInvokeConfig, EsbuildProperties, FunctionDefinition, JwtAuthorizerDefinition, KafkaSourceDefinition, KinesisSourceDefinition,
  RouteDefinition, S3SourceDefinition, ScheduleSourceDefinition, TemplateModel,
} from './model.ts';
import { resolveParameters } from './parameters.ts';
import { TemplateError } from './template-error.ts';

export interface LoadTemplateOptions {
  templatePath: string;
  parameterOverrides?: Record<string, string>;
}

const implicitHttpApi = 'ServerlessHttpApi';
const implicitRestApi = 'ServerlessRestApi';
const ignoredFunctionProperties = new Set([
  'Description', 'Policies', 'Role', 'Tracing', 'LoggingConfig', 'VpcConfig', 'Tags', 'AutoPublishAlias', 'DeploymentPreference',
  'ReservedConcurrentExecutions', 'ProvisionedConcurrencyConfig', 'KmsKeyArn', 'PermissionsBoundary', 'EphemeralStorage',
  'DeadLetterQueue', 'RuntimeManagementConfig', 'SnapStart', 'FunctionUrlConfig', 'PropagateTags',
  'RecursiveLoop', 'AutoPublishCodeSha256', 'AssumeRolePolicyDocument', 'CodeSigningConfigArn', 'FileSystemConfigs', 'VersionDescription',
]);

/** Reads a SAM template into what the local runtime runs: functions, routes and event sources. */
export function loadTemplate(options: LoadTemplateOptions): TemplateModel {
  const templatePath = resolve(options.templatePath);
  let text: string;
  try {
    text = readFileSync(templatePath, 'utf8');
  } catch (error) {
    throw new TemplateError(`cannot be read (${(error as Error).message})`, templatePath);
  }
  return buildModel(parseCfnYaml(text, templatePath), templatePath, options.parameterOverrides ?? {});
}

export function buildModel(template: Record<string, any>, templatePath: string, overrides: Record<string, string>): TemplateModel {
  const templateDir = dirname(templatePath);
  const transforms = [template.Transform ?? []].flat();
  for (const transform of transforms) {
    if (transform !== 'AWS::Serverless-2016-10-31' && transform !== 'AWS::LanguageExtensions') {
      throw new TemplateError(`transform ${String(transform)} is not supported locally`, 'Transform');
    }
  }
  if (!template.Resources || typeof template.Resources !== 'object') throw new TemplateError('the template has no Resources', 'Resources');

  const { parameters, pseudo } = resolveParameters(template.Parameters ?? {}, overrides);
  const allResources = template.Resources as Record<string, any>;
  const conditions = template.Conditions ?? {};
  const included = new Map<string, any>();
  // A resource whose condition is false does not exist: refs to it fail like in CloudFormation.
  const conditionResolver = new IntrinsicResolver({ parameters, pseudo, resources: new Map(), mappings: template.Mappings ?? {}, conditions });
  for (const [logicalId, resource] of Object.entries(allResources)) {
    if (!resource || typeof resource.Type !== 'string') throw new TemplateError('has no Type', `Resources.${logicalId}`);
    if (resource.Condition === undefined || conditionResolver.condition(String(resource.Condition), `Resources.${logicalId}.Condition`)) {
      included.set(logicalId, resource);
    }
  }
  const resolver = new IntrinsicResolver({ parameters, pseudo, resources: included, mappings: template.Mappings ?? {}, conditions });

  const globals = template.Globals ?? {};
  const functions = new Map<string, FunctionDefinition>();
  const apis = new Map<string, ApiDefinition>();
  const routes: RouteDefinition[] = [];
  const kafkaSources: KafkaSourceDefinition[] = [];
  const kinesisSources: KinesisSourceDefinition[] = [];
  const s3Sources: S3SourceDefinition[] = [];
  const scheduleSources: ScheduleSourceDefinition[] = [];
  const buckets: string[] = [];

  for (const [logicalId, resource] of included) {
    if (resource.Type === 'AWS::S3::Bucket') buckets.push(logicalId);
    if (resource.Type === 'AWS::Serverless::HttpApi' || resource.Type === 'AWS::Serverless::Api') {
      apis.set(logicalId, apiDefinition(logicalId, resource, globals, resolver));
    }
    if (resource.Type === 'AWS::Lambda::Function') {
      throw new TemplateError('AWS::Lambda::Function is not run locally; declare the function as AWS::Serverless::Function', `Resources.${logicalId}`);
    }
  }

  for (const [logicalId, resource] of included) {
    if (resource.Type !== 'AWS::Serverless::Function') continue;
    const path = `Resources.${logicalId}`;
    const merged = mergeGlobals(globals.Function ?? {}, resource.Properties ?? {});
    const definition = functionDefinition(logicalId, merged, resource.Metadata, templateDir, resolver, path);
    functions.set(logicalId, definition);
    const events = resolver.resolve(merged.Events ?? {}, `${path}.Properties.Events`) as Record<string, any>;
    for (const [eventName, event] of Object.entries(events)) {
      const eventPath = `${path}.Properties.Events.${eventName}`;
      const properties = event?.Properties ?? {};
      switch (event?.Type) {
        case 'HttpApi':
          routes.push(httpApiRoute(logicalId, eventName, properties, apis, globals, resolver, eventPath));
          break;
        case 'Api':
          routes.push(restApiRoute(logicalId, eventName, properties, apis, globals, resolver, eventPath));
          break;
        case 'S3':
          s3Sources.push(s3Source(logicalId, eventName, properties, included, eventPath));
          break;
        case 'MSK':
        case 'SelfManagedKafka':
          kafkaSources.push(kafkaSource(`${logicalId}.${eventName}`, logicalId, event.Type === 'MSK' ? 'msk' : 'self-managed', properties, eventPath, pseudo));
          break;
        case 'Kinesis':
          kinesisSources.push(kinesisSource(`${logicalId}.${eventName}`, logicalId, { ...properties, EventSourceArn: properties.Stream }, `${eventPath}.Properties`, pseudo));
          break;
        case 'Schedule':
          scheduleSources.push(scheduleSource(logicalId, eventName, properties, eventPath));
          break;
        default:
          throw new TemplateError(`event type ${String(event?.Type)} is not run locally (supported: HttpApi, Api, S3, MSK, SelfManagedKafka, Kinesis, Schedule)`, eventPath);
      }
    }
  }

  for (const [logicalId, resource] of included) {
    if (resource.Type !== 'AWS::Lambda::EventSourceMapping') continue;
    const path = `Resources.${logicalId}.Properties`;
    const properties = resolver.resolve(resource.Properties ?? {}, path) as Record<string, any>;
    const functionLogicalId = findFunction(String(properties.FunctionName ?? ''), functions, `${path}.FunctionName`);
    const arnService = typeof properties.EventSourceArn === 'string' ? properties.EventSourceArn.split(':')[2] : undefined;
    if (arnService === 'kinesis') {
      kinesisSources.push(kinesisSource(logicalId, functionLogicalId, properties, path, pseudo));
      continue;
    }
    const isMsk = arnService === 'kafka';
    if (properties.EventSourceArn !== undefined && !isMsk) {
      throw new TemplateError(`event source ${String(properties.EventSourceArn)} is not run locally (Kafka and Kinesis only)`, `${path}.EventSourceArn`);
    }
    if (!isMsk && !properties.SelfManagedEventSource) throw new TemplateError('has neither an MSK EventSourceArn nor a SelfManagedEventSource', path);
    kafkaSources.push(
      kafkaSource(logicalId, functionLogicalId, isMsk ? 'msk' : 'self-managed', {
        ...properties,
        Stream: properties.EventSourceArn,
        KafkaBootstrapServers: properties.SelfManagedEventSource?.Endpoints?.KafkaBootstrapServers,
        ConsumerGroupId: (properties.AmazonManagedKafkaEventSourceConfig ?? properties.SelfManagedKafkaEventSourceConfig)?.ConsumerGroupId,
      }, path, pseudo),
    );
  }

  return { templatePath, templateDir, parameters, pseudo, functions, apis, routes, kafkaSources, kinesisSources, s3Sources, scheduleSources, buckets };
}

/** SAM's Globals rules: maps merge, lists concatenate (globals first), scalars are replaced. */
export function mergeGlobals(global: any, own: any): any {
  if (own === undefined) return global;
  if (Array.isArray(global) && Array.isArray(own)) return [...global, ...own];
  if (isPlainMap(global) && isPlainMap(own)) {
    const merged: Record<string, any> = { ...global };
    for (const [key, value] of Object.entries(own)) merged[key] = key in global ? mergeGlobals(global[key], value) : value;
    return merged;
  }
  return own;
}

function isPlainMap(value: unknown): value is Record<string, any> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  // Intrinsics are values, not maps to merge.
  const keys = Object.keys(value);
  return !(keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::')));
}

function functionDefinition(logicalId: string, merged: Record<string, any>, metadata: any, templateDir: string, resolver: IntrinsicResolver, path: string): FunctionDefinition {
  for (const key of Object.keys(merged)) {
    if (!ignoredFunctionProperties.has(key) && !['Handler', 'Runtime', 'CodeUri', 'InlineCode', 'Layers', 'Timeout', 'MemorySize', 'Architectures', 'Environment', 'Events', 'FunctionName', 'PackageType', 'ImageUri', 'ImageConfig', 'EventInvokeConfig'].includes(key)) {
      throw new TemplateError(`function property ${key} is not supported locally`, `${path}.Properties.${key}`);
    }
  }
  if (merged.PackageType === 'Image') throw new TemplateError('container image functions need Docker; only zip (Node.js) functions run locally', `${path}.Properties.PackageType`);
  if (merged.Layers !== undefined && resolver.resolve(merged.Layers, `${path}.Properties.Layers`).length > 0) {
    throw new TemplateError('Lambda layers are not run locally; bundle the code with esbuild instead', `${path}.Properties.Layers`);
  }
  if (merged.InlineCode !== undefined) throw new TemplateError('InlineCode is not run locally; use CodeUri', `${path}.Properties.InlineCode`);
  const properties = resolver.resolve(
    { Handler: merged.Handler, Runtime: merged.Runtime, CodeUri: merged.CodeUri, Timeout: merged.Timeout, MemorySize: merged.MemorySize, Architectures: merged.Architectures, FunctionName: merged.FunctionName },
    `${path}.Properties`,
  ) as Record<string, any>;
  const runtime = String(properties.Runtime ?? '');
  if (!/^nodejs\d+\.x$/.test(runtime)) throw new TemplateError(`runtime "${runtime}" is not run locally (Node.js runtimes only)`, `${path}.Properties.Runtime`);
  const handler = String(properties.Handler ?? '');
  if (!/^[^.]+(\.[^.]+)+$/.test(handler)) throw new TemplateError(`Handler "${handler}" is not <file>.<export>`, `${path}.Properties.Handler`);
  if (typeof properties.CodeUri !== 'string') throw new TemplateError('CodeUri must be a local path', `${path}.Properties.CodeUri`);

  const variables = merged.Environment?.Variables ?? {};
  const environment: Record<string, string> = {};
  const environmentRefs: Record<string, string> = {};
  for (const [name, raw] of Object.entries(variables as Record<string, unknown>)) {
    const value = resolver.resolve(raw, `${path}.Properties.Environment.Variables.${name}`);
    if (value === NO_VALUE) continue;
    if (typeof value === 'object') throw new TemplateError(`resolves to ${JSON.stringify(value)}, not a string`, `${path}.Properties.Environment.Variables.${name}`);
    environment[name] = String(value);
    if (raw && typeof raw === 'object' && 'Ref' in raw) environmentRefs[name] = String((raw as { Ref: unknown }).Ref);
  }

  return {
    logicalId,
    functionName: typeof properties.FunctionName === 'string' ? properties.FunctionName : logicalId,
    handler,
    runtime,
    timeoutSeconds: Number(properties.Timeout ?? 3),
    memorySize: Number(properties.MemorySize ?? 128),
    architectures: properties.Architectures ?? ['x86_64'],
    codeUri: resolve(templateDir, properties.CodeUri),
    environment,
    environmentRefs,
    build: buildProperties(metadata, resolver, `${path}.Metadata`),
    asyncInvoke: asyncInvokeConfig(merged.EventInvokeConfig, resolver, `${path}.Properties.EventInvokeConfig`),
  };
}

function asyncInvokeConfig(raw: unknown, resolver: IntrinsicResolver, path: string): AsyncInvokeConfig {
  const properties = (raw === undefined ? {} : resolver.resolve(raw, path)) as Record<string, any>;
  const retries = Number(properties.MaximumRetryAttempts ?? 2);
  const maxAge = Number(properties.MaximumEventAgeInSeconds ?? 21600);
  if (!Number.isInteger(retries) || retries < 0 || retries > 2) throw new TemplateError('MaximumRetryAttempts must be 0, 1 or 2', `${path}.MaximumRetryAttempts`);
  if (!Number.isInteger(maxAge) || maxAge < 60 || maxAge > 21600) throw new TemplateError('MaximumEventAgeInSeconds must be 60 to 21600', `${path}.MaximumEventAgeInSeconds`);
  const onFailure = properties.DestinationConfig?.OnFailure?.Destination;
  return { maximumRetryAttempts: retries, maximumEventAgeInSeconds: maxAge, ...(typeof onFailure === 'string' && onFailure !== '' ? { onFailureDestination: onFailure } : {}) };
}

function buildProperties(metadata: any, resolver: IntrinsicResolver, path: string): EsbuildProperties | undefined {
  if (!metadata?.BuildMethod) return undefined;
  if (metadata.BuildMethod !== 'esbuild') throw new TemplateError(`BuildMethod ${String(metadata.BuildMethod)} is not built locally (esbuild only)`, `${path}.BuildMethod`);
  const properties = resolver.resolve(metadata.BuildProperties ?? {}, `${path}.BuildProperties`) as Record<string, any>;
  const known = ['EntryPoints', 'Format', 'Minify', 'Target', 'Sourcemap', 'Banner', 'Footer', 'OutExtension', 'External', 'Loader', 'MainFields', 'Platform', 'Alias', 'Splitting', 'ChunkNames', 'UseNpmCi'];
  for (const key of Object.keys(properties)) {
    if (!known.includes(key)) throw new TemplateError(`esbuild property ${key} is not supported locally`, `${path}.BuildProperties.${key}`);
  }
  const pairs = (items: unknown, name: string): Record<string, string> | undefined => {
    if (items === undefined) return undefined;
    const result: Record<string, string> = {};
    for (const item of [items].flat()) {
      const text = String(item);
      const equals = text.indexOf('=');
      if (equals <= 0) throw new TemplateError(`"${text}" is not <key>=<value>`, `${path}.BuildProperties.${name}`);
      result[text.slice(0, equals)] = text.slice(equals + 1);
    }
    return result;
  };
  const entryPoints = [properties.EntryPoints ?? []].flat().map(String);
  if (entryPoints.length === 0) throw new TemplateError('esbuild needs EntryPoints', `${path}.BuildProperties.EntryPoints`);
  return {
    entryPoints,
    format: properties.Format,
    minify: properties.Minify === undefined ? undefined : properties.Minify === true || properties.Minify === 'true',
    target: properties.Target,
    sourcemap: properties.Sourcemap === undefined ? undefined : properties.Sourcemap === true || properties.Sourcemap === 'true',
    banner: pairs(properties.Banner, 'Banner'),
    footer: pairs(properties.Footer, 'Footer'),
    outExtension: pairs(properties.OutExtension, 'OutExtension'),
    external: properties.External === undefined ? undefined : [properties.External].flat().map(String),
    loader: pairs(properties.Loader, 'Loader'),
    alias: pairs(properties.Alias, 'Alias'),
    mainFields: properties.MainFields === undefined ? undefined : String(properties.MainFields).split(','),
    platform: properties.Platform,
    splitting: properties.Splitting === undefined ? undefined : properties.Splitting === true || properties.Splitting === 'true',
    chunkNames: properties.ChunkNames === undefined ? undefined : String(properties.ChunkNames),
  };
}

function apiDefinition(logicalId: string, resource: any, globals: any, resolver: IntrinsicResolver): ApiDefinition {
  const kind = resource.Type === 'AWS::Serverless::HttpApi' ? 'HttpApi' : 'Api';
  const path = `Resources.${logicalId}.Properties`;
  const merged = mergeGlobals(globals[kind] ?? {}, resource.Properties ?? {});
  const properties = resolver.resolve({ StageName: merged.StageName, Auth: merged.Auth }, path) as Record<string, any>;
  return {
    logicalId,
    kind,
    stageName: String(properties.StageName ?? (kind === 'HttpApi' ? '$default' : 'Prod')),
    ...authorizers(properties.Auth, kind, `${path}.Auth`),
  };
}

function authorizers(auth: any, kind: 'HttpApi' | 'Api', path: string): Pick<ApiDefinition, 'defaultAuthorizer' | 'authorizers'> {
  const result = new Map<string, JwtAuthorizerDefinition>();
  for (const [name, authorizer] of Object.entries((auth?.Authorizers ?? {}) as Record<string, any>)) {
    if (kind !== 'HttpApi' || !authorizer?.JwtConfiguration) {
      throw new TemplateError(`authorizer ${name} is not applied locally (JWT authorizers of an HttpApi only)`, `${path}.Authorizers.${name}`);
    }
    const jwt = authorizer.JwtConfiguration;
    result.set(name, {
      name,
      issuer: String(jwt.issuer ?? jwt.Issuer ?? ''),
      audience: [jwt.audience ?? jwt.Audience ?? []].flat().map(String),
      identitySource: String(authorizer.IdentitySource ?? '$request.header.Authorization'),
    });
  }
  const defaultAuthorizer = auth?.DefaultAuthorizer === undefined ? undefined : String(auth.DefaultAuthorizer);
  if (defaultAuthorizer && defaultAuthorizer !== 'NONE' && !result.has(defaultAuthorizer)) {
    throw new TemplateError(`DefaultAuthorizer ${defaultAuthorizer} is not among the Authorizers`, `${path}.DefaultAuthorizer`);
  }
  return { defaultAuthorizer: defaultAuthorizer === 'NONE' ? undefined : defaultAuthorizer, authorizers: result };
}

function implicitApi(apis: Map<string, ApiDefinition>, kind: 'HttpApi' | 'Api', globals: any, resolver: IntrinsicResolver): ApiDefinition {
  const logicalId = kind === 'HttpApi' ? implicitHttpApi : implicitRestApi;
  let api = apis.get(logicalId);
  if (!api) {
    api = apiDefinition(logicalId, { Type: kind === 'HttpApi' ? 'AWS::Serverless::HttpApi' : 'AWS::Serverless::Api', Properties: {} }, globals, resolver);
    apis.set(logicalId, api);
  }
  return api;
}

function routeAuthorizer(api: ApiDefinition, auth: any, path: string): { authorizer?: string; authorizationScopes: string[] } {
  const name = auth?.Authorizer === undefined ? api.defaultAuthorizer : auth.Authorizer === 'NONE' ? undefined : String(auth.Authorizer);
  if (name && !api.authorizers.has(name)) throw new TemplateError(`authorizer ${name} is not declared on ${api.logicalId}`, `${path}.Auth.Authorizer`);
  return { authorizer: name, authorizationScopes: [auth?.AuthorizationScopes ?? []].flat().map(String) };
}

function httpApiRoute(functionLogicalId: string, eventName: string, properties: any, apis: Map<string, ApiDefinition>, globals: any, resolver: IntrinsicResolver, path: string): RouteDefinition {
  const api = properties.ApiId === undefined ? implicitApi(apis, 'HttpApi', globals, resolver) : apis.get(String(properties.ApiId));
  if (api?.kind !== 'HttpApi') throw new TemplateError(`ApiId ${String(properties.ApiId)} is not an AWS::Serverless::HttpApi of this template`, `${path}.Properties.ApiId`);
  const isDefault = properties.Path === undefined && properties.Method === undefined;
  return {
    functionLogicalId,
    eventName,
    apiLogicalId: api.logicalId,
    kind: 'HttpApi',
    method: isDefault ? 'ANY' : String(properties.Method ?? 'ANY').toUpperCase(),
    path: isDefault ? '$default' : String(properties.Path),
    payloadFormatVersion: String(properties.PayloadFormatVersion ?? '2.0') === '1.0' ? '1.0' : '2.0',
    ...routeAuthorizer(api, properties.Auth, path),
    timeoutMs: Number(properties.TimeoutInMillis ?? 30_000),
  };
}

function restApiRoute(functionLogicalId: string, eventName: string, properties: any, apis: Map<string, ApiDefinition>, globals: any, resolver: IntrinsicResolver, path: string): RouteDefinition {
  const api = properties.RestApiId === undefined ? implicitApi(apis, 'Api', globals, resolver) : apis.get(String(properties.RestApiId));
  if (api?.kind !== 'Api') throw new TemplateError(`RestApiId ${String(properties.RestApiId)} is not an AWS::Serverless::Api of this template`, `${path}.Properties.RestApiId`);
  if (properties.Path === undefined || properties.Method === undefined) throw new TemplateError('an Api event needs Path and Method', path);
  return {
    functionLogicalId,
    eventName,
    apiLogicalId: api.logicalId,
    kind: 'Api',
    method: String(properties.Method).toUpperCase(),
    path: String(properties.Path),
    payloadFormatVersion: '1.0',
    ...routeAuthorizer(api, properties.Auth, path),
    timeoutMs: Number(properties.TimeoutInMillis ?? 29_000),
  };
}

function s3Source(functionLogicalId: string, eventName: string, properties: any, resources: Map<string, any>, path: string): S3SourceDefinition {
  const bucketLogicalId = String(properties.Bucket ?? '');
  if (resources.get(bucketLogicalId)?.Type !== 'AWS::S3::Bucket') {
    throw new TemplateError(`Bucket must be a !Ref to an AWS::S3::Bucket of this template (got ${JSON.stringify(properties.Bucket)})`, `${path}.Properties.Bucket`);
  }
  let prefix: string | undefined;
  let suffix: string | undefined;
  for (const rule of properties.Filter?.S3Key?.Rules ?? []) {
    const name = String(rule.Name).toLowerCase();
    if (name === 'prefix') prefix = String(rule.Value);
    else if (name === 'suffix') suffix = String(rule.Value);
    else throw new TemplateError(`S3 filter rule ${String(rule.Name)} is not prefix or suffix`, `${path}.Properties.Filter`);
  }
  return { id: `${functionLogicalId}.${eventName}`, functionLogicalId, eventName, bucketLogicalId, events: [properties.Events].flat().map(String), prefix, suffix };
}

function scheduleSource(functionLogicalId: string, eventName: string, properties: any, path: string): ScheduleSourceDefinition {
  if (typeof properties.Schedule !== 'string' || properties.Schedule === '') throw new TemplateError('a Schedule event needs a Schedule expression', `${path}.Properties.Schedule`);
  if (properties.Input !== undefined) throw new TemplateError('Input is not applied locally; the function receives the scheduled event', `${path}.Properties.Input`);
  const enabled = properties.Enabled !== false && String(properties.State ?? 'ENABLED').toUpperCase() === 'ENABLED';
  return { id: `${functionLogicalId}.${eventName}`, functionLogicalId, eventName, schedule: properties.Schedule, enabled };
}

function kafkaSource(id: string, functionLogicalId: string, kind: 'msk' | 'self-managed', properties: any, path: string, pseudo: Record<string, string>): KafkaSourceDefinition {
  if (properties.FilterCriteria !== undefined) throw new TemplateError('FilterCriteria is not applied locally', `${path}.FilterCriteria`);
  const topics = [properties.Topics ?? []].flat().map(String);
  if (topics.length === 0) throw new TemplateError('a Kafka event source needs Topics', `${path}.Topics`);
  const servers = kind === 'self-managed' ? [properties.KafkaBootstrapServers ?? []].flat().flatMap((server: unknown) => String(server).split(',')).filter(Boolean) : [];
  if (kind === 'self-managed' && servers.length === 0) throw new TemplateError('a self-managed Kafka source needs KafkaBootstrapServers', path);
  const onFailure = properties.DestinationConfig?.OnFailure?.Destination;
  const retries = properties.MaximumRetryAttempts === undefined ? -1 : Number(properties.MaximumRetryAttempts);
  const startingPosition = String(properties.StartingPosition ?? 'LATEST');
  if (!['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'].includes(startingPosition)) throw new TemplateError(`StartingPosition ${startingPosition} is not TRIM_HORIZON, LATEST or AT_TIMESTAMP`, `${path}.StartingPosition`);
  const uuid = stableUuid(`${pseudo['AWS::StackName']}/${id}`);
  return {
    id,
    uuid,
    functionLogicalId,
    kind,
    eventSourceArn: kind === 'msk' ? String(properties.Stream) : undefined,
    bootstrapServers: servers,
    topics,
    // AWS uses the mapping's UUID when no group id is set.
    consumerGroupId: properties.ConsumerGroupId === undefined ? uuid : String(properties.ConsumerGroupId),
    startingPosition: startingPosition as KafkaSourceDefinition['startingPosition'],
    startingPositionTimestamp: properties.StartingPositionTimestamp === undefined ? undefined : Number(properties.StartingPositionTimestamp),
    batchSize: Number(properties.BatchSize ?? 100),
    maximumBatchingWindowInSeconds: Number(properties.MaximumBatchingWindowInSeconds ?? 0.5),
    enabled: properties.Enabled === undefined ? true : properties.Enabled === true || properties.Enabled === 'true',
    maximumRetryAttempts: retries === -1 && onFailure ? 10 : retries,
    maximumRecordAgeInSeconds: Number(properties.MaximumRecordAgeInSeconds ?? -1),
    bisectBatchOnFunctionError: properties.BisectBatchOnFunctionError === true || properties.BisectBatchOnFunctionError === 'true',
    reportBatchItemFailures: [properties.FunctionResponseTypes ?? []].flat().includes('ReportBatchItemFailures'),
    sourceAccessConfigurations: [properties.SourceAccessConfigurations ?? []].flat().map((item: { Type?: unknown }) => String(item?.Type)),
    onFailureDestination: onFailure === undefined ? undefined : String(onFailure),
  };
}

/** Lambda's Kinesis defaults differ from Kafka's: no batching window, retries until the record expires. */
function kinesisSource(id: string, functionLogicalId: string, properties: any, path: string, pseudo: Record<string, string>): KinesisSourceDefinition {
  for (const unsupported of ['FilterCriteria', 'TumblingWindowInSeconds']) {
    if (properties[unsupported] !== undefined) throw new TemplateError(`${unsupported} is not applied locally`, `${path}.${unsupported}`);
  }
  const streamArn = String(properties.EventSourceArn ?? '');
  // A consumer ARN (enhanced fan-out) names its stream first: .../stream/<name>/consumer/<consumer>:<time>.
  const streamName = /^arn:[^:]+:kinesis:[^:]*:[^:]*:stream\/([^/]+)/.exec(streamArn)?.[1];
  if (!streamName) throw new TemplateError(`${JSON.stringify(properties.EventSourceArn)} is not a Kinesis stream ARN (use !GetAtt <Stream>.Arn)`, path);
  const startingPosition = String(properties.StartingPosition ?? '');
  if (!['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'].includes(startingPosition)) throw new TemplateError(`StartingPosition "${startingPosition}" is not TRIM_HORIZON, LATEST or AT_TIMESTAMP`, `${path}.StartingPosition`);
  if (startingPosition === 'AT_TIMESTAMP' && properties.StartingPositionTimestamp === undefined) throw new TemplateError('AT_TIMESTAMP needs StartingPositionTimestamp', `${path}.StartingPositionTimestamp`);
  const onFailure = properties.DestinationConfig?.OnFailure?.Destination;
  return {
    id,
    uuid: stableUuid(`${pseudo['AWS::StackName']}/${id}`),
    functionLogicalId,
    streamArn: streamArn.replace(/\/consumer\/.*$/, ''),
    streamName,
    startingPosition: startingPosition as KinesisSourceDefinition['startingPosition'],
    startingPositionTimestamp: properties.StartingPositionTimestamp === undefined ? undefined : Number(properties.StartingPositionTimestamp),
    batchSize: Number(properties.BatchSize ?? 100),
    maximumBatchingWindowInSeconds: Number(properties.MaximumBatchingWindowInSeconds ?? 0),
    enabled: properties.Enabled === undefined ? true : properties.Enabled === true || properties.Enabled === 'true',
    maximumRetryAttempts: Number(properties.MaximumRetryAttempts ?? -1),
    maximumRecordAgeInSeconds: Number(properties.MaximumRecordAgeInSeconds ?? -1),
    bisectBatchOnFunctionError: properties.BisectBatchOnFunctionError === true || properties.BisectBatchOnFunctionError === 'true',
    reportBatchItemFailures: [properties.FunctionResponseTypes ?? []].flat().includes('ReportBatchItemFailures'),
    parallelizationFactor: Number(properties.ParallelizationFactor ?? 1),
    onFailureDestination: onFailure === undefined ? undefined : String(onFailure),
  };
}

function findFunction(reference: string, functions: Map<string, FunctionDefinition>, path: string): string {
  const name = reference.startsWith('arn:') ? reference.split(':')[6] ?? '' : reference;
  for (const definition of functions.values()) {
    if (definition.logicalId === name || definition.functionName === name) return definition.logicalId;
  }
  throw new TemplateError(`FunctionName ${reference} is not an AWS::Serverless::Function of this template`, path);
}
