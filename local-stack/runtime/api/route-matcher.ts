import type { ApiDefinition, RouteDefinition } from '../template/model.ts';

export interface RouteMatch {
  route: RouteDefinition;
  api: ApiDefinition;
  pathParameters: Record<string, string>;
}

interface CompiledRoute {
  route: RouteDefinition;
  api: ApiDefinition;
  segments: { kind: 'literal' | 'param' | 'greedy'; value: string }[];
  isDefault: boolean;
}

function compile(route: RouteDefinition, api: ApiDefinition): CompiledRoute {
  if (route.path === '$default') return { route, api, segments: [], isDefault: true };
  const segments = route.path.split('/').filter(Boolean).map((segment) => {
    const param = /^\{([^}+]+)(\+)?\}$/.exec(segment);
    if (!param) return { kind: 'literal' as const, value: segment };
    return { kind: param[2] ? ('greedy' as const) : ('param' as const), value: param[1]! };
  });
  return { route, api, segments, isDefault: false };
}

const rank = { literal: 2, param: 1, greedy: 0 } as const;

/** Orders matches as API Gateway picks routes: most specific path first, an exact method over ANY. */
function compareSpecificity(a: CompiledRoute, b: CompiledRoute): number {
  if (a.isDefault !== b.isDefault) return a.isDefault ? 1 : -1;
  const length = Math.max(a.segments.length, b.segments.length);
  for (let index = 0; index < length; index++) {
    const left = a.segments[index];
    const right = b.segments[index];
    if (!left || !right) return left ? -1 : 1;
    if (rank[left.kind] !== rank[right.kind]) return rank[right.kind] - rank[left.kind];
  }
  return (a.route.method === 'ANY' ? 1 : 0) - (b.route.method === 'ANY' ? 1 : 0);
}

/** Matches requests to the template's routes, `{param}` and `{proxy+}` included. */
export class RouteMatcher {
  readonly #routes: CompiledRoute[];

  constructor(routes: RouteDefinition[], apis: ReadonlyMap<string, ApiDefinition>) {
    this.#routes = routes.map((route) => compile(route, apis.get(route.apiLogicalId)!)).sort(compareSpecificity);
  }

  /** The path as sent; a stage prefix (`/dev/...`, as in the deployed URL) is also accepted. */
  match(method: string, path: string): RouteMatch | undefined {
    const segments = path.split('/').filter(Boolean);
    for (const compiled of this.#routes) {
      if (compiled.route.method !== 'ANY' && compiled.route.method !== method) continue;
      const stage = compiled.api.stageName;
      const candidates = stage !== '$default' && segments[0] === stage ? [segments, segments.slice(1)] : [segments];
      for (const candidate of candidates) {
        const pathParameters = compiled.isDefault ? {} : matchSegments(compiled.segments, candidate);
        if (pathParameters) return { route: compiled.route, api: compiled.api, pathParameters };
      }
    }
    return undefined;
  }

  get routes(): RouteDefinition[] {
    return this.#routes.map((compiled) => compiled.route);
  }
}

function matchSegments(pattern: CompiledRoute['segments'], segments: string[]): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (let index = 0; index < pattern.length; index++) {
    const part = pattern[index]!;
    if (part.kind === 'greedy') {
      if (index >= segments.length) return undefined;
      parameters[part.value] = segments.slice(index).map(decode).join('/');
      return parameters;
    }
    const segment = segments[index];
    if (segment === undefined) return undefined;
    if (part.kind === 'literal') {
      if (decode(segment) !== part.value) return undefined;
    } else {
      parameters[part.value] = decode(segment);
    }
  }
  return segments.length === pattern.length ? parameters : undefined;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
