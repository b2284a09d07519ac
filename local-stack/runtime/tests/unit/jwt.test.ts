import { describe, expect, it } from 'vitest';
import { signHs256, stringifyClaims, verifyJwt } from '../../api/jwt.ts';
import { findAuthorizer, issueLocalToken } from '../../api/token-command.ts';
import { loadTemplate } from '../../template/load-template.ts';
import { fixtureTemplate } from '../support.ts';

const secret = 'unit-test-secret-0123456789';
const now = 1_800_000_000;
const expected = { secret, issuer: 'https://issuer.test', audience: ['api'], nowSeconds: now };
const claims = { iss: 'https://issuer.test', aud: 'api', sub: 'p', iat: now - 10, exp: now + 60 };

describe('local JWT authorizer', () => {
  it('accepts a token signed with the secret, for the issuer and audience', () => {
    expect(verifyJwt(signHs256(claims, secret), expected)).toEqual({ ok: true, claims, scopes: null });
  });

  it.each([
    ['an expired token', { ...claims, exp: now - 1 }, 'the token has expired'],
    ['another issuer', { ...claims, iss: 'https://evil.test' }, 'the token has an invalid issuer'],
    ['another audience', { ...claims, aud: ['other'] }, 'the token has an invalid audience'],
    ['a token not valid yet', { ...claims, nbf: now + 100 }, 'the token is not valid yet'],
  ])('rejects %s with 401', (_name, tokenClaims, reason) => {
    expect(verifyJwt(signHs256(tokenClaims, secret), expected)).toEqual({ ok: false, status: 401, reason });
  });

  it('rejects a token signed with another key or tampered with', () => {
    expect(verifyJwt(signHs256(claims, 'another-secret-0123456789'), expected)).toMatchObject({ ok: false, status: 401, reason: 'signature verification failed' });
    const [header, , signature] = signHs256(claims, secret).split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url');
    expect(verifyJwt(`${header}.${forged}.${signature}`, expected)).toMatchObject({ ok: false, status: 401 });
    expect(verifyJwt('not-a-jwt', expected)).toMatchObject({ ok: false, status: 401 });
  });

  it('answers 403 when the route requires a scope the token lacks', () => {
    expect(verifyJwt(signHs256(claims, secret), { ...expected, scopes: ['admin'] })).toMatchObject({ ok: false, status: 403 });
    expect(verifyJwt(signHs256({ ...claims, scope: 'read admin' }, secret), { ...expected, scopes: ['admin'] })).toMatchObject({ ok: true, scopes: ['read', 'admin'] });
  });

  it('passes claims to the function as strings, as HTTP API does', () => {
    expect(stringifyClaims({ exp: 1, aud: ['a', 'b'], admin: true })).toEqual({ exp: '1', aud: '[a b]', admin: 'true' });
  });

  it('issues tokens for the template authorizer that the authorizer accepts', () => {
    const authorizer = findAuthorizer(loadTemplate({ templatePath: fixtureTemplate('pipeline') }));
    const token = issueLocalToken(authorizer, { secret });
    expect(verifyJwt(token, { secret, issuer: authorizer.issuer, audience: authorizer.audience })).toMatchObject({ ok: true, claims: { iss: 'https://issuer.example', aud: 'orders-api', sub: 'local-producer' } });
  });
});
