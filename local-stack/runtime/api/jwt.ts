import { createHmac, timingSafeEqual } from 'node:crypto';

export type JwtClaims = Record<string, unknown>;

const base64url = (input: Buffer | string) => Buffer.from(input).toString('base64url');

/** An HS256 token: enough for a local authorizer, with no signing service to run. */
export function signHs256(claims: JwtClaims, secret: string): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

export interface JwtExpectations {
  secret: string;
  issuer: string;
  /** The token's `aud` (or `client_id`) must contain one of these. */
  audience: string[];
  /** Scopes the route requires: the token's `scope` must include one (API Gateway's rule). */
  scopes?: string[];
  nowSeconds?: number;
}

export type JwtVerdict =
  | { ok: true; claims: JwtClaims; scopes: string[] | null }
  | { ok: false; status: 401 | 403; reason: string };

/**
 * Checks a token as API Gateway's JWT authorizer does: signature, `exp`, `nbf`, `iat`,
 * `iss`, `aud`/`client_id`, then the route's scopes (403 when they do not match).
 */
export function verifyJwt(token: string, expected: JwtExpectations): JwtVerdict {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, status: 401, reason: 'the token is not a JWT' };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  let header: { alg?: string };
  let claims: JwtClaims;
  try {
    header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, status: 401, reason: 'the token is not a JWT' };
  }
  if (header.alg !== 'HS256') return { ok: false, status: 401, reason: `signing algorithm ${String(header.alg)} is not accepted locally (HS256)` };
  const expectedSignature = createHmac('sha256', expected.secret).update(`${headerPart}.${payloadPart}`).digest();
  const signature = Buffer.from(signaturePart, 'base64url');
  if (signature.length !== expectedSignature.length || !timingSafeEqual(signature, expectedSignature)) {
    return { ok: false, status: 401, reason: 'signature verification failed' };
  }
  const now = expected.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= now) return { ok: false, status: 401, reason: 'the token has expired' };
  if (typeof claims.nbf === 'number' && claims.nbf > now) return { ok: false, status: 401, reason: 'the token is not valid yet' };
  if (typeof claims.iat === 'number' && claims.iat > now + 60) return { ok: false, status: 401, reason: 'the token was issued in the future' };
  if (claims.iss !== expected.issuer) return { ok: false, status: 401, reason: 'the token has an invalid issuer' };
  const audiences = [claims.aud ?? claims.client_id ?? []].flat().map(String);
  if (!audiences.some((audience) => expected.audience.includes(audience))) return { ok: false, status: 401, reason: 'the token has an invalid audience' };
  const scopes = typeof claims.scope === 'string' && claims.scope ? claims.scope.split(' ') : typeof claims.scp === 'string' ? claims.scp.split(' ') : null;
  if (expected.scopes && expected.scopes.length > 0 && !expected.scopes.some((scope) => scopes?.includes(scope))) {
    return { ok: false, status: 403, reason: 'the token does not carry a scope the route requires' };
  }
  return { ok: true, claims, scopes };
}

/** Claims as HTTP API passes them to the function: every value a string, lists as `[a b]`. */
export function stringifyClaims(claims: JwtClaims): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    result[name] = Array.isArray(value) ? `[${value.join(' ')}]` : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  }
  return result;
}
