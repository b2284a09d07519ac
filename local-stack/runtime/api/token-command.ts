import { resolve } from 'node:path';
import { defaultTemplatePath, runtimeSettings } from '../settings.ts';
import { loadTemplate } from '../template/load-template.ts';
import type { JwtAuthorizerDefinition, TemplateModel } from '../template/model.ts';
import { parseParameterOverrides } from '../template/parameters.ts';
import { signHs256 } from './jwt.ts';

export interface TokenOptions {
  templatePath?: string;
  parameterOverrides?: string[];
  subject?: string;
  scope?: string;
  expiresInSeconds?: number;
  api?: string;
}

/** The JWT authorizer a token is for: the named API's, or the first the template declares. */
export function findAuthorizer(model: TemplateModel, api?: string): JwtAuthorizerDefinition {
  for (const definition of model.apis.values()) {
    if (api && definition.logicalId !== api) continue;
    const name = definition.defaultAuthorizer ?? [...definition.authorizers.keys()][0];
    if (name) return definition.authorizers.get(name)!;
  }
  throw new Error(api ? `${api} has no JWT authorizer` : 'the template declares no JWT authorizer');
}

/** A token for the local authorizer: issuer and audience from the template, signed with LOCAL_JWT_SECRET. */
export function issueLocalToken(authorizer: JwtAuthorizerDefinition, options: { subject?: string; scope?: string; expiresInSeconds?: number; secret?: string } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: authorizer.issuer,
    aud: authorizer.audience[0],
    sub: options.subject ?? 'local-producer',
    iat: now,
    exp: now + (options.expiresInSeconds ?? 3600),
  };
  if (options.scope) claims.scope = options.scope;
  return signHs256(claims, options.secret ?? runtimeSettings.LOCAL_JWT_SECRET);
}

export function tokenCommand(options: TokenOptions): string {
  const model = loadTemplate({ templatePath: resolve(options.templatePath ?? defaultTemplatePath()), parameterOverrides: parseParameterOverrides(options.parameterOverrides ?? []) });
  return issueLocalToken(findAuthorizer(model, options.api), options);
}
