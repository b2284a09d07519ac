import type { ParameterValue } from './intrinsics.ts';
import { TemplateError } from './template-error.ts';

/** Pseudo parameters as `sam local` sets them; each can be overridden like a parameter. */
export const defaultPseudoParameters = {
  'AWS::AccountId': '123456789012',
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::StackName': 'local',
  'AWS::StackId': 'arn:aws:cloudformation:us-east-1:123456789012:stack/local/51af3dc0-da77-11e4-872e-1234567db123',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::NotificationARNs': '',
} as const;

/** `K=V K2=V2` or `ParameterKey=K,ParameterValue=V` pairs, as `--parameter-overrides` takes them. */
export function parseParameterOverrides(items: string[]): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const item of items.flatMap((entry) => splitOverrides(entry))) {
    const long = /^ParameterKey=([^,]+),ParameterValue=(.*)$/.exec(item);
    if (long) {
      overrides[long[1]!] = long[2]!;
      continue;
    }
    const equals = item.indexOf('=');
    if (equals <= 0) throw new TemplateError(`parameter override "${item}" is not KEY=VALUE`, '--parameter-overrides');
    overrides[item.slice(0, equals)] = item.slice(equals + 1);
  }
  return overrides;
}

/** Splits `A=1 B="two words"` on spaces outside quotes, dropping the quotes. */
function splitOverrides(entry: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const char of entry) {
    if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === ' ') {
      if (current) parts.push(current);
      current = '';
    } else current += char;
  }
  if (current) parts.push(current);
  return parts;
}

/**
 * Parameter values from defaults and overrides, checked as CloudFormation checks them
 * (AllowedValues, AllowedPattern, lengths, numeric bounds). List types become arrays.
 */
export function resolveParameters(
  declared: Record<string, any>,
  overrides: Record<string, string>,
): { parameters: Map<string, ParameterValue>; pseudo: Record<string, string> } {
  const pseudo: Record<string, string> = { ...defaultPseudoParameters };
  for (const [name, value] of Object.entries(overrides)) {
    if (name.startsWith('AWS::')) {
      if (!(name in pseudo)) throw new TemplateError(`unknown pseudo parameter ${name}`, '--parameter-overrides');
      pseudo[name] = value;
    } else if (!(name in declared)) {
      throw new TemplateError(`override for "${name}", which the template does not declare`, '--parameter-overrides');
    }
  }

  const parameters = new Map<string, ParameterValue>();
  for (const [name, definition] of Object.entries(declared)) {
    const path = `Parameters.${name}`;
    const type: string = definition?.Type ?? '';
    if (!type) throw new TemplateError('has no Type', path);
    const raw = name in overrides ? overrides[name] : definition.Default === undefined ? undefined : String(definition.Default);
    if (raw === undefined) throw new TemplateError('has no Default; pass it with --parameter-overrides', path);
    if (type.startsWith('AWS::SSM::Parameter::') && !(name in overrides)) {
      throw new TemplateError(`${type} is read from SSM, which is not reachable locally; pass the value with --parameter-overrides`, path);
    }
    const isList = type === 'CommaDelimitedList' || type.startsWith('List<') || /^AWS::SSM::Parameter::Value<List</.test(type);
    const values = isList ? raw.split(',').map((item) => item.trim()) : [raw];
    for (const value of values) checkConstraints(value, definition, type, path);
    parameters.set(name, isList ? values : raw);
  }
  return { parameters, pseudo };
}

function checkConstraints(value: string, definition: any, type: string, path: string): void {
  if (Array.isArray(definition.AllowedValues) && !definition.AllowedValues.map(String).includes(value)) {
    throw new TemplateError(`"${value}" is not one of the AllowedValues [${definition.AllowedValues.join(', ')}]`, path);
  }
  if (definition.AllowedPattern !== undefined && !new RegExp(`^(?:${definition.AllowedPattern})$`).test(value)) {
    throw new TemplateError(`"${value}" does not match AllowedPattern ${definition.AllowedPattern}`, path);
  }
  if (definition.MinLength !== undefined && value.length < Number(definition.MinLength)) throw new TemplateError(`"${value}" is shorter than MinLength ${definition.MinLength}`, path);
  if (definition.MaxLength !== undefined && value.length > Number(definition.MaxLength)) throw new TemplateError(`"${value}" is longer than MaxLength ${definition.MaxLength}`, path);
  if (type === 'Number' || type === 'List<Number>') {
    const number = Number(value);
    if (value.trim() === '' || Number.isNaN(number)) throw new TemplateError(`"${value}" is not a Number`, path);
    if (definition.MinValue !== undefined && number < Number(definition.MinValue)) throw new TemplateError(`${value} is below MinValue ${definition.MinValue}`, path);
    if (definition.MaxValue !== undefined && number > Number(definition.MaxValue)) throw new TemplateError(`${value} is above MaxValue ${definition.MaxValue}`, path);
  }
}
