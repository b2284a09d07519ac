import { createHash } from 'node:crypto';
import { TemplateError } from './template-error.ts';

/** What `AWS::NoValue` resolves to: the enclosing key or list item is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export type ParameterValue = string | string[];

export interface ResolverScope {
  parameters: ReadonlyMap<string, ParameterValue>;
  pseudo: Readonly<Record<string, string>>;
  /** Logical id -> resource type, for every resource whose condition holds or that has none. */
  resources: ReadonlyMap<string, { Type: string; Properties?: Record<string, any> }>;
  mappings: Record<string, any>;
  conditions: Record<string, any>;
}

const intrinsicKeys = new Set([
  'Ref', 'Condition', 'Fn::Sub', 'Fn::GetAtt', 'Fn::If', 'Fn::Equals', 'Fn::Not', 'Fn::And', 'Fn::Or', 'Fn::Join',
  'Fn::Split', 'Fn::Select', 'Fn::FindInMap', 'Fn::ImportValue', 'Fn::Base64', 'Fn::Cidr', 'Fn::GetAZs',
  'Fn::Transform', 'Fn::ToJsonString', 'Fn::Length',
]);

const unsupportedLocally: Record<string, string> = {
  'Fn::ImportValue': 'imports an output of another stack, which does not exist locally; pass the value as a parameter instead',
  'Fn::Cidr': 'computes address blocks, which have no local meaning',
  'Fn::Transform': 'runs a CloudFormation macro, which cannot run locally',
};

/**
 * Resolves CloudFormation intrinsic functions the way `sam local` does: `Ref` of a
 * resource gives its logical id, `GetAtt X.Arn` an ARN built from the local pseudo
 * parameters, conditions are evaluated once and cached.
 */
export class IntrinsicResolver {
  readonly #scope: ResolverScope;
  readonly #conditionCache = new Map<string, boolean>();
  readonly #evaluating = new Set<string>();

  constructor(scope: ResolverScope) {
    this.#scope = scope;
  }

  condition(name: string, path = `Conditions.${name}`): boolean {
    const cached = this.#conditionCache.get(name);
    if (cached !== undefined) return cached;
    if (!(name in this.#scope.conditions)) throw new TemplateError(`unknown condition "${name}"`, path);
    if (this.#evaluating.has(name)) throw new TemplateError(`condition "${name}" refers to itself`, path);
    this.#evaluating.add(name);
    const value = this.resolve(this.#scope.conditions[name], `Conditions.${name}`);
    this.#evaluating.delete(name);
    if (typeof value !== 'boolean') throw new TemplateError('does not evaluate to true or false', `Conditions.${name}`);
    this.#conditionCache.set(name, value);
    return value;
  }

  resolve(value: unknown, path: string): any {
    if (Array.isArray(value)) {
      return value.map((item, index) => this.resolve(item, `${path}[${index}]`)).filter((item) => item !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && intrinsicKeys.has(entries[0]![0])) {
      const [name, argument] = entries[0]!;
      return this.#intrinsic(name, argument, `${path}.${name}`);
    }
    const result: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      const resolved = this.resolve(item, `${path}.${key}`);
      if (resolved !== NO_VALUE) result[key] = resolved;
    }
    return result;
  }

  ref(name: string, path: string): ParameterValue | typeof NO_VALUE {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name.startsWith('AWS::')) {
      const value = this.#scope.pseudo[name];
      if (value === undefined) throw new TemplateError(`pseudo parameter ${name} is not supported locally`, path);
      return value;
    }
    const parameter = this.#scope.parameters.get(name);
    if (parameter !== undefined) return parameter;
    const resource = this.#scope.resources.get(name);
    if (resource?.Type === 'AWS::Kinesis::Stream') return this.#streamName(name, path);
    if (resource) return name;
    throw new TemplateError(`Ref to "${name}", which is neither a parameter nor a resource (or its condition is false)`, path);
  }

  getAtt(logicalId: string, attribute: string, path: string): string {
    const resource = this.#scope.resources.get(logicalId);
    if (!resource) throw new TemplateError(`GetAtt of "${logicalId}", which is not a resource (or its condition is false)`, path);
    const { 'AWS::Region': region, 'AWS::AccountId': account, 'AWS::Partition': partition } = this.#scope.pseudo;
    const type = resource.Type;
    if (attribute === 'Arn') {
      switch (type) {
        case 'AWS::Serverless::Function':
        case 'AWS::Lambda::Function':
          return `arn:${partition}:lambda:${region}:${account}:function:${logicalId}`;
        case 'AWS::S3::Bucket':
          return `arn:${partition}:s3:::${logicalId}`;
        case 'AWS::Kinesis::Stream':
          return `arn:${partition}:kinesis:${region}:${account}:stream/${this.#streamName(logicalId, path)}`;
        case 'AWS::SQS::Queue':
          return `arn:${partition}:sqs:${region}:${account}:${logicalId}`;
        case 'AWS::SNS::Topic':
          return `arn:${partition}:sns:${region}:${account}:${logicalId}`;
        case 'AWS::Logs::LogGroup':
          return `arn:${partition}:logs:${region}:${account}:log-group:${logicalId}:*`;
        case 'AWS::SecretsManager::Secret':
          return `arn:${partition}:secretsmanager:${region}:${account}:secret:${logicalId}`;
        default:
          return `arn:${partition}:local:${region}:${account}:${logicalId}`;
      }
    }
    if (type === 'AWS::S3::Bucket' && attribute === 'DomainName') return `${logicalId}.s3.amazonaws.com`;
    if (type === 'AWS::SQS::Queue' && attribute === 'QueueName') return logicalId;
    throw new TemplateError(`GetAtt ${logicalId}.${attribute} (${type}) is not supported locally`, path);
  }

  /** A stream's `Name` when the template sets one, else its logical id: the name of the local stream. */
  #streamName(logicalId: string, path: string): string {
    const name = this.#scope.resources.get(logicalId)?.Properties?.Name;
    return name === undefined ? logicalId : this.#string(this.resolve(name, path), path, 'Kinesis stream Name');
  }

  #string(value: unknown, path: string, what: string): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new TemplateError(`${what} must be a string, got ${JSON.stringify(value)}`, path);
  }

  #list(value: unknown, path: string, what: string): unknown[] {
    if (!Array.isArray(value)) throw new TemplateError(`${what} must be a list, got ${JSON.stringify(value)}`, path);
    return value;
  }

  #boolean(value: unknown, path: string): boolean {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    throw new TemplateError(`expected a condition, got ${JSON.stringify(value)}`, path);
  }

  #sub(template: string, variables: Record<string, unknown>, path: string): string {
    return template.replace(/\$\{([^}]*)\}/g, (_match, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      if (name in variables) return this.#string(variables[name], path, `Sub variable ${name}`);
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::')) return this.getAtt(name.slice(0, dot), name.slice(dot + 1), path);
      const value = this.ref(name, path);
      if (value === NO_VALUE) throw new TemplateError(`\${${name}} cannot be used inside Sub`, path);
      if (Array.isArray(value)) throw new TemplateError(`\${${name}} is a list parameter and cannot be used inside Sub`, path);
      return value;
    });
  }

  #intrinsic(name: string, argument: unknown, path: string): any {
    const reason = unsupportedLocally[name];
    if (reason) throw new TemplateError(`${name} ${reason}`, path);
    switch (name) {
      case 'Ref':
        return this.ref(this.#string(this.resolve(argument, path), path, 'Ref'), path);
      case 'Condition':
        return this.condition(this.#string(argument, path, 'Condition'), path);
      case 'Fn::Sub': {
        if (typeof argument === 'string') return this.#sub(argument, {}, path);
        const [template, variables] = this.#list(argument, path, 'Sub');
        return this.#sub(this.#string(this.resolve(template, path), path, 'Sub template'), (this.resolve(variables ?? {}, path) ?? {}) as Record<string, unknown>, path);
      }
      case 'Fn::GetAtt': {
        const parts = typeof argument === 'string' ? argument.split('.') : this.#list(this.resolve(argument, path), path, 'GetAtt');
        const [logicalId, ...attribute] = parts.map((part) => this.#string(part, path, 'GetAtt'));
        return this.getAtt(logicalId!, attribute.join('.'), path);
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = this.#list(argument, path, 'If');
        const holds = this.condition(this.#string(condition, path, 'If condition'), path);
        return holds ? this.resolve(whenTrue, `${path}[1]`) : this.resolve(whenFalse, `${path}[2]`);
      }
      case 'Fn::Equals': {
        const [left, right] = this.#list(this.resolve(argument, path), path, 'Equals');
        return JSON.stringify(left) === JSON.stringify(right) || (left !== undefined && String(left) === String(right));
      }
      case 'Fn::Not': {
        const [operand] = this.#list(argument, path, 'Not');
        return !this.#boolean(this.resolve(operand, path), path);
      }
      case 'Fn::And':
        return this.#list(argument, path, 'And').every((operand, index) => this.#boolean(this.resolve(operand, `${path}[${index}]`), path));
      case 'Fn::Or':
        return this.#list(argument, path, 'Or').some((operand, index) => this.#boolean(this.resolve(operand, `${path}[${index}]`), path));
      case 'Fn::Join': {
        const [delimiter, items] = this.#list(argument, path, 'Join');
        const list = this.#list(this.resolve(items, path), path, 'Join items');
        return list.map((item) => this.#string(item, path, 'Join item')).join(this.#string(delimiter, path, 'Join delimiter'));
      }
      case 'Fn::Split': {
        const [delimiter, source] = this.#list(argument, path, 'Split');
        return this.#string(this.resolve(source, path), path, 'Split source').split(this.#string(delimiter, path, 'Split delimiter'));
      }
      case 'Fn::Select': {
        const [index, items] = this.#list(argument, path, 'Select');
        const list = this.#list(this.resolve(items, path), path, 'Select list');
        const position = Number(this.resolve(index, path));
        if (!Number.isInteger(position) || position < 0 || position >= list.length) {
          throw new TemplateError(`Select index ${String(index)} is outside the list of ${list.length}`, path);
        }
        return list[position];
      }
      case 'Fn::FindInMap': {
        const [map, top, second] = this.#list(this.resolve(argument, path), path, 'FindInMap').map((part) => this.#string(part, path, 'FindInMap key'));
        const value = this.#scope.mappings[map!]?.[top!]?.[second!];
        if (value === undefined) throw new TemplateError(`FindInMap ${map}.${top}.${second} is not in Mappings`, path);
        return value;
      }
      case 'Fn::Base64':
        return Buffer.from(this.#string(this.resolve(argument, path), path, 'Base64'), 'utf8').toString('base64');
      case 'Fn::GetAZs': {
        const region = this.#scope.pseudo['AWS::Region'];
        return ['a', 'b', 'c'].map((zone) => `${region}${zone}`);
      }
      case 'Fn::ToJsonString':
        return JSON.stringify(this.resolve(argument, path));
      case 'Fn::Length':
        return this.#list(this.resolve(argument, path), path, 'Length').length;
      default:
        throw new TemplateError(`${name} is not supported locally`, path);
    }
  }
}

/** A stable, UUID-shaped id derived from a name (event source mapping UUIDs, for instance). */
export function stableUuid(name: string): string {
  const hex = createHash('sha1').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
