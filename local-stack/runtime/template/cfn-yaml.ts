import { parseDocument, type Tags } from 'yaml';
import { TemplateError } from './template-error.ts';

/**
 * CloudFormation short-form tags read as their long form (`!Ref X` -> `{ Ref: X }`,
 * `!GetAtt A.B` -> `{ "Fn::GetAtt": ["A", "B"] }`), so the resolver only knows one form.
 */
const shortForms = [
  'Ref', 'Condition', 'Sub', 'GetAtt', 'If', 'Equals', 'Not', 'And', 'Or', 'Join', 'Split', 'Select',
  'FindInMap', 'ImportValue', 'Base64', 'Cidr', 'GetAZs', 'Transform', 'ToJsonString', 'Length',
] as const;

function longForm(name: string, value: unknown): Record<string, unknown> {
  if (name === 'Ref' || name === 'Condition') return { [name]: value };
  if (name === 'GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${name}`]: value };
}

const customTags: Tags = shortForms.flatMap((name) => [
  { tag: `!${name}`, resolve: (value: string) => longForm(name, value) },
  { tag: `!${name}`, collection: 'seq' as const, resolve: (value: any) => longForm(name, value.toJSON()) },
  { tag: `!${name}`, collection: 'map' as const, resolve: (value: any) => longForm(name, value.toJSON()) },
]) as Tags;

/** Parses a template (YAML or JSON); an unknown tag or a syntax error names its line. */
export function parseCfnYaml(text: string, source: string): Record<string, any> {
  const document = parseDocument(text, { customTags, uniqueKeys: true, prettyErrors: true });
  const problems = [...document.errors, ...document.warnings];
  if (problems.length > 0) {
    const shown = problems.slice(0, 3).map((problem) => problem.message.split('\n')[0]);
    throw new TemplateError(shown.join('; ') + (problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''), source);
  }
  const value = document.toJS({ maxAliasCount: 1000 });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TemplateError('is not a template (a mapping at the top level)', source);
  return value as Record<string, any>;
}
