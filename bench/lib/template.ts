import { readFileSync } from 'node:fs';
import { parseDocument, type Tags } from 'yaml';

/**
 * What the benchmarks need from template.yaml: each function's esbuild settings
 * (Metadata.BuildProperties) and environment. Intrinsic functions are kept as
 * `{ "Fn::X": ... }` / `{ Ref: ... }` objects and resolved only as far as a local run needs.
 */

const shortForms = ['Ref', 'Sub', 'GetAtt', 'If', 'Equals', 'Not', 'Join', 'Split', 'Select', 'Condition', 'FindInMap', 'ImportValue', 'Base64'];

const customTags = shortForms.flatMap((name) => {
  const wrap = (value: unknown) => (name === 'Ref' || name === 'Condition' ? { [name]: value } : { [`Fn::${name}`]: value });
  return [
    { tag: `!${name}`, resolve: (value: string) => wrap(value) },
    { tag: `!${name}`, collection: 'seq' as const, resolve: (value: any) => wrap(value.toJSON()) },
    { tag: `!${name}`, collection: 'map' as const, resolve: (value: any) => wrap(value.toJSON()) },
  ];
}) as Tags;

export interface BuildProperties {
  Format?: 'esm' | 'cjs';
  Minify?: boolean;
  Target?: string;
  Sourcemap?: boolean;
  EntryPoints: string[];
  Banner?: string[];
  Footer?: string[];
  OutExtension?: string[];
  External?: string[];
  /** A comma-separated list in SAM templates, e.g. "module,main". */
  MainFields?: string | string[];
  /** `from=to` module aliases. */
  Alias?: string[];
  /** `.ext=loader` pairs. */
  Loader?: string[];
}

export interface FunctionBuild {
  logicalId: string;
  handler: string;
  codeUri: string;
  memorySize: number;
  build: BuildProperties;
  /** Globals and the function's own variables, intrinsics resolved for a local run. */
  environment: Record<string, string>;
}

export function readTemplate(path: string): Record<string, any> {
  const document = parseDocument(readFileSync(path, 'utf8'), { customTags });
  if (document.errors.length > 0) throw new Error(`${path}: ${document.errors.map((error) => error.message).join('; ')}`);
  return document.toJS() as Record<string, any>;
}

/**
 * A value of the template as a local run sees it: a parameter's default, a resource's
 * local name from `localNames` (else its logical id), and a placeholder for what only
 * AWS can resolve (dynamic references such as Secrets Manager).
 */
export function localValue(value: unknown, template: Record<string, any>, localNames: Record<string, string>, placeholder: string): string {
  if (typeof value === 'string') return value.includes('{{resolve:') ? placeholder : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object' && 'Ref' in value) {
    const name = String((value as { Ref: unknown }).Ref);
    const parameter = template.Parameters?.[name];
    if (parameter) return String(parameter.Default ?? '');
    return localNames[name] ?? name;
  }
  return placeholder;
}

/** Every AWS::Serverless::Function built with esbuild, in template order. */
export function functionBuilds(template: Record<string, any>, localNames: Record<string, string> = {}, placeholder = 'local-placeholder-value-0123456789'): FunctionBuild[] {
  const globals = template.Globals?.Function ?? {};
  const builds: FunctionBuild[] = [];
  for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::Serverless::Function' || resource.Metadata?.BuildMethod !== 'esbuild') continue;
    const variables = { ...(globals.Environment?.Variables ?? {}), ...(resource.Properties?.Environment?.Variables ?? {}) };
    builds.push({
      logicalId,
      handler: resource.Properties?.Handler ?? globals.Handler,
      codeUri: resource.Properties?.CodeUri ?? globals.CodeUri ?? './',
      memorySize: Number(resource.Properties?.MemorySize ?? globals.MemorySize ?? 128),
      build: resource.Metadata.BuildProperties as BuildProperties,
      environment: Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, localValue(value, template, localNames, placeholder)])),
    });
  }
  return builds;
}

/** esbuild options as `sam build` derives them from BuildProperties (aws-lambda-builders' esbuild workflow). */
export function esbuildOptionsFor(build: BuildProperties, entryPoints: string[], outdir: string) {
  const pairs = (items: string[] | undefined) =>
    items && Object.fromEntries(items.map((item) => [item.slice(0, item.indexOf('=')), item.slice(item.indexOf('=') + 1)]));
  return {
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node' as const,
    format: build.Format ?? 'cjs',
    minify: build.Minify ?? false,
    target: build.Target ?? 'es2020',
    sourcemap: build.Sourcemap ?? false,
    external: build.External,
    mainFields: typeof build.MainFields === 'string' ? build.MainFields.split(',') : build.MainFields,
    banner: pairs(build.Banner),
    footer: pairs(build.Footer),
    outExtension: pairs(build.OutExtension),
    alias: pairs(build.Alias),
    loader: pairs(build.Loader) as Record<string, 'js' | 'json' | 'text' | 'base64' | 'file' | 'binary' | 'copy'> | undefined,
    logLevel: 'silent' as const,
  };
}
