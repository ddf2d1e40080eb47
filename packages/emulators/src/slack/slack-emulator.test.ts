/**
 * @module slack/slack-emulator.test
 * Slack's OAuth v2 as an app meets it over HTTP: authorize with user and bot
 * scopes, the code traded once (Basic auth; PKCE bound only on request), tokens that work
 * at auth.test, rotation (a refresh token is spent once used), Slack's
 * 200 + `{ok: false}` errors, auth.revoke, and the revoke-grants control.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { slackWorkspaceUrl } from './slack-context.js';
import { startSlackEmulator, type SlackEmulator } from './slack-emulator.js';

const client = { clientId: '1234.5678', clientSecret: 'slack-secret-emu' };
const redirectUri = 'http://127.0.0.1:9/oauth/callback/slack';
const verifier = 'a-long-random-verifier-string-of-enough-length-0987654321';
const challenge = createHash('sha256').update(verifier).digest('base64url');

let slack: SlackEmulator;
let plain: SlackEmulator;

beforeAll(async () => {
  slack = await startSlackEmulator({ clients: [client], team: { id: 'T0001', name: 'Acme', domain: 'acme' }, user: { id: 'U0001', name: 'ada' } });
  plain = await startSlackEmulator({ clients: [client], tokenRotation: false });
});

afterAll(async () => {
  await Promise.all([slack.close(), plain.close()]);
});

const basic = `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;

async function authorize(base: string, params: Record<string, string>): Promise<URL> {
  const url = new URL('/oauth/v2/authorize', base);
  for (const [name, value] of Object.entries({ client_id: client.clientId, redirect_uri: redirectUri, state: 's1', ...params })) url.searchParams.set(name, value);
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location') ?? '');
}

async function access(base: string, form: Record<string, string>, authorization: string | null = basic): Promise<Record<string, unknown>> {
  const response = await fetch(new URL('/api/oauth.v2.access', base), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization !== null ? { authorization } : {}) },
    body: new URLSearchParams(form),
  });
  // Slack answers its errors with HTTP 200 too.
  expect(response.status).toBe(200);
  return z.record(z.string(), z.unknown()).parse(await response.json());
}

async function callApi(base: string, method: string, token: string, form: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const response = await fetch(new URL(`/api/${method}`, base), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  expect(response.status).toBe(200);
  return z.record(z.string(), z.unknown()).parse(await response.json());
}

const installSchema = z.object({
  ok: z.literal(true),
  access_token: z.string(),
  token_type: z.literal('bot'),
  scope: z.string(),
  bot_user_id: z.string(),
  app_id: z.string(),
  refresh_token: z.string(),
  expires_in: z.number(),
  team: z.object({ id: z.string(), name: z.string() }),
  authed_user: z.object({ id: z.string(), scope: z.string(), access_token: z.string(), token_type: z.literal('user'), refresh_token: z.string(), expires_in: z.number() }),
});

describe('Slack OAuth v2', () => {
  it('installs with bot and user scopes (PKCE sent but not bound, as documented), and the tokens work at auth.test', async () => {
    const redirect = await authorize(slack.url, { scope: 'chat:write', user_scope: 'files:read,files:write', code_challenge: challenge, code_challenge_method: 'S256' });
    expect(redirect.searchParams.get('state')).toBe('s1');
    const again = redirect.searchParams.get('code') ?? '';
    const install = installSchema.parse(await access(slack.url, { code: again, redirect_uri: redirectUri, code_verifier: verifier, grant_type: 'authorization_code' }));
    expect(install).toMatchObject({ scope: 'chat:write', team: { id: 'T0001', name: 'Acme' }, expires_in: 43_200, authed_user: { id: 'U0001', scope: 'files:read,files:write' } });
    expect(install.authed_user.access_token).toMatch(/^xoxe\.xoxp-1-/);
    expect(install.access_token).toMatch(/^xoxe\.xoxb-1-/);
    expect(await access(slack.url, { code: again, redirect_uri: redirectUri, code_verifier: verifier })).toEqual({ ok: false, error: 'invalid_code' });
    // A code whose challenge was ignored needs no verifier.
    const noVerifier = (await authorize(slack.url, { user_scope: 'files:read', code_challenge: challenge, code_challenge_method: 'S256' })).searchParams.get('code') ?? '';
    expect(await access(slack.url, { code: noVerifier, redirect_uri: redirectUri })).toMatchObject({ ok: true });

    expect(await callApi(slack.url, 'auth.test', install.authed_user.access_token)).toEqual({
      ok: true,
      url: slackWorkspaceUrl({ domain: 'acme' }),
      team: 'Acme',
      user: 'ada',
      team_id: 'T0001',
      user_id: 'U0001',
      is_enterprise_install: false,
    });
    expect(await callApi(slack.url, 'auth.test', install.access_token)).toMatchObject({ ok: true, user_id: install.bot_user_id, bot_id: expect.any(String) });
  });

  it('answers client errors with their Slack names', async () => {
    const code = (await authorize(slack.url, { user_scope: 'files:read' })).searchParams.get('code') ?? '';
    const wrongSecret = `Basic ${Buffer.from(`${client.clientId}:nope`).toString('base64')}`;
    expect(await access(slack.url, { code }, wrongSecret)).toEqual({ ok: false, error: 'bad_client_secret' });
    expect(await access(slack.url, { code, client_id: 'other', client_secret: 'x' }, null)).toEqual({ ok: false, error: 'invalid_client_id' });
    expect(await access(slack.url, { code, redirect_uri: 'http://127.0.0.1:9/elsewhere' })).toEqual({ ok: false, error: 'bad_redirect_uri' });
    expect(await access(slack.url, { grant_type: 'password' })).toEqual({ ok: false, error: 'invalid_grant_type' });
    // Client credentials in the body work as well as Basic.
    const body = (await authorize(slack.url, { user_scope: 'files:read' })).searchParams.get('code') ?? '';
    expect(await access(slack.url, { code: body, client_id: client.clientId, client_secret: client.clientSecret }, null)).toMatchObject({ ok: true });
  });

  it('with verifyPkce, binds the challenge and refuses a wrong verifier as invalid_code', async () => {
    const strict = await startSlackEmulator({ verifyPkce: true });
    try {
      const code = (await authorize(strict.url, { user_scope: 'files:read', code_challenge: challenge, code_challenge_method: 'S256' })).searchParams.get('code') ?? '';
      expect(await access(strict.url, { code, redirect_uri: redirectUri, code_verifier: 'not-the-verifier' })).toEqual({ ok: false, error: 'invalid_code' });
      const again = (await authorize(strict.url, { user_scope: 'files:read', code_challenge: challenge, code_challenge_method: 'S256' })).searchParams.get('code') ?? '';
      expect(await access(strict.url, { code: again, redirect_uri: redirectUri, code_verifier: verifier })).toMatchObject({ ok: true });
    } finally {
      await strict.close();
    }
  });

  it('denied consent redirects with access_denied and the state', async () => {
    const denying = await startSlackEmulator({ approve: () => false });
    try {
      const redirect = await authorize(denying.url, { user_scope: 'files:read' });
      expect(Object.fromEntries(redirect.searchParams)).toEqual({ error: 'access_denied', state: 's1' });
    } finally {
      await denying.close();
    }
  });

  it('rotates: a refresh answers new tokens, the used refresh token is spent, expired tokens say token_expired', async () => {
    const tokens = slack.issueToken('files:read');
    slack.expireTokens();
    expect(await callApi(slack.url, 'auth.test', tokens.accessToken)).toEqual({ ok: false, error: 'token_expired' });
    const refreshed = await access(slack.url, { grant_type: 'refresh_token', refresh_token: tokens.refreshToken });
    expect(refreshed).toMatchObject({ ok: true, token_type: 'user', scope: 'files:read', expires_in: 43_200, refresh_token: expect.any(String), access_token: expect.any(String) });
    expect(refreshed.refresh_token).not.toBe(tokens.refreshToken);
    expect(await callApi(slack.url, 'auth.test', String(refreshed.access_token))).toMatchObject({ ok: true });
    expect(await access(slack.url, { grant_type: 'refresh_token', refresh_token: tokens.refreshToken })).toEqual({ ok: false, error: 'invalid_refresh_token' });
  });

  it('auth.revoke ends the token and its grant; revoke-grants ends every grant', async () => {
    const first = slack.issueToken('files:read');
    expect(await callApi(slack.url, 'auth.revoke', first.accessToken, { test: '1' })).toEqual({ ok: true, revoked: false });
    expect(await callApi(slack.url, 'auth.revoke', first.accessToken)).toEqual({ ok: true, revoked: true });
    expect(await callApi(slack.url, 'auth.test', first.accessToken)).toEqual({ ok: false, error: 'token_revoked' });
    expect(await access(slack.url, { grant_type: 'refresh_token', refresh_token: first.refreshToken })).toEqual({ ok: false, error: 'invalid_refresh_token' });
    expect(await callApi(slack.url, 'auth.test', 'xoxp-never-issued')).toEqual({ ok: false, error: 'invalid_auth' });

    const second = slack.issueToken('files:read');
    const control = await fetch(`${slack.url}/__emulator/revoke-grants`, { method: 'POST' });
    expect(z.object({ revoked: z.number() }).parse(await control.json()).revoked).toBeGreaterThanOrEqual(1);
    expect(await access(slack.url, { grant_type: 'refresh_token', refresh_token: second.refreshToken })).toEqual({ ok: false, error: 'invalid_refresh_token' });
  });

  it('without token rotation, tokens never expire and come without a refresh token', async () => {
    const code = (await authorize(plain.url, { user_scope: 'files:read' })).searchParams.get('code') ?? '';
    const install = await access(plain.url, { code, redirect_uri: redirectUri });
    const user = z.object({ access_token: z.string() }).passthrough().parse(install.authed_user);
    expect(user.access_token).toMatch(/^xoxp-/);
    expect(user).not.toHaveProperty('refresh_token');
    expect(user).not.toHaveProperty('expires_in');
    expect(install).not.toHaveProperty('access_token');
    expect(await callApi(plain.url, 'auth.test', user.access_token)).toMatchObject({ ok: true });
  });

  it('renders an injected 429 as ratelimited with Retry-After', async () => {
    slack.faults.push({ match: { path: '/api/auth.test' }, status: 429, retryAfter: 30 });
    const response = await fetch(`${slack.url}/api/auth.test`, { method: 'POST' });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('30');
    expect(await response.json()).toEqual({ ok: false, error: 'ratelimited' });
  });
});
