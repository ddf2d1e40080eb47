/**
 * @module microsoft/microsoft-emulator.test
 * The Microsoft identity platform and Graph as an app meets them over HTTP:
 * code + PKCE S256 under any tenant alias, a refresh token only with
 * offline_access, rotation on refresh (scope required), the AADSTS error
 * bodies, Graph /me, and revokeSignInSessions (only with a scope that allows
 * it) turning the next refresh into invalid_grant AADSTS50173.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startMicrosoftEmulator, type MicrosoftEmulator } from './microsoft-emulator.js';

const client = { clientId: '6731de76-14a6-49ae-97bc-6eba6914391e', clientSecret: 'ms-secret-emu' };
const redirectUri = 'http://127.0.0.1:9/oauth/callback/microsoft';
const verifier = 'a-long-random-verifier-string-of-enough-length-1122334455';
const challenge = createHash('sha256').update(verifier).digest('base64url');
const scope = 'offline_access User.Read Files.ReadWrite';

let ms: MicrosoftEmulator;

beforeAll(async () => {
  ms = await startMicrosoftEmulator({ clients: [client], user: { displayName: 'Megan Bowen', userPrincipalName: 'megan@contoso.test', mail: 'megan@contoso.test' } });
});

afterAll(async () => {
  await ms.close();
});

const errorSchema = z.object({
  error: z.string(),
  error_description: z.string(),
  error_codes: z.array(z.number()),
  timestamp: z.string(),
  trace_id: z.string(),
  correlation_id: z.string(),
});
const tokenSchema = z.object({ token_type: z.literal('Bearer'), scope: z.string(), expires_in: z.number(), ext_expires_in: z.number(), access_token: z.string(), refresh_token: z.string().optional() });

async function authorize(tenant: string, params: Record<string, string>): Promise<URL> {
  const url = new URL(`/${tenant}/oauth2/v2.0/authorize`, ms.url);
  const all = { client_id: client.clientId, response_type: 'code', redirect_uri: redirectUri, scope, state: 'st', code_challenge: challenge, code_challenge_method: 'S256', ...params };
  for (const [name, value] of Object.entries(all)) url.searchParams.set(name, value);
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location') ?? '');
}

async function token(form: Record<string, string>, tenant = 'common'): Promise<{ status: number; body: unknown }> {
  const response = await fetch(new URL(`/${tenant}/oauth2/v2.0/token`, ms.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: client.clientId, client_secret: client.clientSecret, ...form }),
  });
  return { status: response.status, body: await response.json() };
}

async function codeFor(params: Record<string, string> = {}, tenant = 'common'): Promise<string> {
  return (await authorize(tenant, params)).searchParams.get('code') ?? '';
}

function aadsts(answer: { status: number; body: unknown }): { status: number; error: string; code: number | undefined } {
  const body = errorSchema.parse(answer.body);
  expect(body.error_description).toMatch(new RegExp(`^AADSTS${body.error_codes[0] ?? ''}: `));
  expect(body.error_description).toContain(`Trace ID: ${body.trace_id}`);
  return { status: answer.status, error: body.error, code: body.error_codes[0] };
}

describe('Microsoft identity platform v2.0', () => {
  it('code + PKCE S256 buys tokens once; Graph /me answers the user', async () => {
    const redirect = await authorize(ms.tenantId, {});
    expect(redirect.searchParams.get('state')).toBe('st');
    const code = redirect.searchParams.get('code') ?? '';
    expect(aadsts(await token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: 'wrong' }))).toEqual({ status: 400, error: 'invalid_grant', code: 501481 });

    const fresh = await codeFor({}, 'organizations');
    const issued = await token({ grant_type: 'authorization_code', code: fresh, redirect_uri: redirectUri, code_verifier: verifier }, 'organizations');
    expect(issued.status).toBe(200);
    const tokens = tokenSchema.parse(issued.body);
    expect(tokens).toMatchObject({ scope: 'User.Read Files.ReadWrite', expires_in: 3600 });
    expect(tokens.refresh_token).toBeTruthy();
    expect(aadsts(await token({ grant_type: 'authorization_code', code: fresh, redirect_uri: redirectUri, code_verifier: verifier }))).toEqual({ status: 400, error: 'invalid_grant', code: 54005 });

    const me = await fetch(`${ms.url}/v1.0/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: ms.user.id, displayName: 'Megan Bowen', mail: 'megan@contoso.test', userPrincipalName: 'megan@contoso.test' });
  });

  it('issues no refresh token without offline_access', async () => {
    const code = await codeFor({ scope: 'User.Read' });
    const tokens = tokenSchema.parse((await token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier })).body);
    expect(tokens.refresh_token).toBeUndefined();
  });

  it('refresh rotates the refresh token, needs a scope, and refuses scopes never granted', async () => {
    const code = await codeFor();
    const first = tokenSchema.parse((await token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier })).body);
    const refreshToken = first.refresh_token ?? '';
    expect(aadsts(await token({ grant_type: 'refresh_token', refresh_token: refreshToken }))).toEqual({ status: 400, error: 'invalid_request', code: 900144 });
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: refreshToken, scope });
    expect(refreshed.status).toBe(200);
    const second = tokenSchema.parse(refreshed.body);
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(refreshToken);
    expect(second.access_token).not.toBe(first.access_token);
    expect(aadsts(await token({ grant_type: 'refresh_token', refresh_token: refreshToken, scope: 'offline_access Mail.Send' }))).toEqual({ status: 400, error: 'invalid_grant', code: 65001 });
    expect(aadsts(await token({ grant_type: 'refresh_token', refresh_token: 'not-a-token', scope }))).toEqual({ status: 400, error: 'invalid_grant', code: 9002313 });
  });

  it('refuses bad clients and grant types with the documented codes', async () => {
    const badSecret = await fetch(new URL('/common/oauth2/v2.0/token', ms.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: client.clientId, client_secret: 'nope', grant_type: 'authorization_code', code: 'x' }),
    });
    expect(aadsts({ status: badSecret.status, body: await badSecret.json() })).toEqual({ status: 401, error: 'invalid_client', code: 7000215 });
    expect(aadsts(await token({ grant_type: 'password' }))).toEqual({ status: 400, error: 'unsupported_grant_type', code: 70003 });
    const unknownApp = await fetch(`${ms.url}/common/oauth2/v2.0/authorize?client_id=someone-else&response_type=code&redirect_uri=${encodeURIComponent(redirectUri)}&scope=User.Read`, { redirect: 'manual' });
    expect(unknownApp.status).toBe(400);
    expect(await unknownApp.text()).toContain('AADSTS700016');
  });

  it('a declined consent redirects with access_denied AADSTS65004', async () => {
    const declining = await startMicrosoftEmulator({ approve: () => false });
    try {
      const url = new URL('/common/oauth2/v2.0/authorize', declining.url);
      for (const [name, value] of Object.entries({ client_id: 'any', response_type: 'code', redirect_uri: redirectUri, scope, state: 'st' })) url.searchParams.set(name, value);
      const redirect = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location') ?? '');
      expect(redirect.searchParams.get('error')).toBe('access_denied');
      expect(redirect.searchParams.get('error_description')).toMatch(/^AADSTS65004: /);
      expect(redirect.searchParams.get('state')).toBe('st');
    } finally {
      await declining.close();
    }
  });

  it('revokeSignInSessions needs User.RevokeSessions.All, then every refresh answers invalid_grant AADSTS50173', async () => {
    const plain = ms.issueToken();
    const denied = await fetch(`${ms.url}/v1.0/me/revokeSignInSessions`, { method: 'POST', headers: { authorization: `Bearer ${plain.accessToken}` } });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ error: { code: 'Authorization_RequestDenied' } });

    const allowed = ms.issueToken('offline_access User.Read User.RevokeSessions.All');
    const revoked = await fetch(`${ms.url}/v1.0/me/revokeSignInSessions`, { method: 'POST', headers: { authorization: `Bearer ${allowed.accessToken}` } });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ value: true });
    for (const refreshToken of [plain.refreshToken, allowed.refreshToken]) {
      expect(aadsts(await token({ grant_type: 'refresh_token', refresh_token: refreshToken, scope: 'offline_access User.Read' }))).toEqual({ status: 400, error: 'invalid_grant', code: 50173 });
    }
    const me = await fetch(`${ms.url}/v1.0/me`, { headers: { authorization: `Bearer ${allowed.accessToken}` } });
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });
  });

  it('expired tokens get 401 at Graph; revoke-grants over HTTP ends every grant', async () => {
    const tokens = ms.issueToken();
    ms.expireTokens();
    const expired = await fetch(`${ms.url}/v1.0/me`, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const control = await fetch(`${ms.url}/__emulator/revoke-grants`, { method: 'POST' });
    expect(z.object({ revoked: z.number() }).parse(await control.json()).revoked).toBeGreaterThanOrEqual(1);
    expect(aadsts(await token({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken, scope }))).toMatchObject({ error: 'invalid_grant', code: 50173 });
  });
});
