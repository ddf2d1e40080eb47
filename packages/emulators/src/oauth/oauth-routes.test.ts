/**
 * @module oauth/oauth-routes.test
 * Both providers' OAuth endpoints as a client meets them: authorize redirects
 * with a code, the code buys tokens once, refresh works, and a revoked
 * refresh token answers invalid_grant; PKCE is checked when a challenge was sent.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startEmulators, type RunningEmulators } from '../start-emulators.js';

let emulators: RunningEmulators;
const redirectUri = 'http://127.0.0.1:9/callback';

const tokenResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.string(),
  expires_in: z.number(),
  refresh_token: z.string().optional(),
  scope: z.string().optional(),
  account_id: z.string().optional(),
});

beforeAll(async () => {
  emulators = await startEmulators({ print: () => undefined, googleDrive: { accessTokenTtlSeconds: 120 } });
});

afterAll(async () => {
  await emulators.close();
});

async function authorize(baseUrl: string, path: string, extra: Record<string, string> = {}): Promise<URL> {
  const url = new URL(path, baseUrl);
  const params = { client_id: 'ferry', redirect_uri: redirectUri, response_type: 'code', state: 'xyz', scope: 'files', ...extra };
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location') ?? '');
}

async function token(baseUrl: string, path: string, form: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const response = await fetch(new URL(path, baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: 'ferry', client_secret: 'secret', ...form }),
  });
  return { status: response.status, body: await response.json() };
}

const providers = [
  {
    name: 'Google',
    base: () => emulators.googleDrive.url,
    store: () => emulators.googleDrive.tokens,
    authorizePath: '/o/oauth2/v2/auth',
    tokenPath: '/token',
    type: 'Bearer',
  },
  {
    name: 'Dropbox',
    base: () => emulators.dropbox.url,
    store: () => emulators.dropbox.tokens,
    authorizePath: '/oauth2/authorize',
    tokenPath: '/oauth2/token',
    type: 'bearer',
  },
] as const;

describe.each(providers)('$name OAuth endpoints', ({ name, base, store, authorizePath, tokenPath, type }) => {
  it('trades a code for tokens once, refreshes, and refuses a revoked refresh token', async () => {
    const redirect = await authorize(base(), authorizePath);
    expect(redirect.searchParams.get('state')).toBe('xyz');
    const code = redirect.searchParams.get('code') ?? '';
    const first = await token(base(), tokenPath, { grant_type: 'authorization_code', code, redirect_uri: redirectUri });
    expect(first.status).toBe(200);
    const tokens = tokenResponseSchema.parse(first.body);
    expect(tokens).toMatchObject({ token_type: type, scope: 'files' });
    expect(tokens.refresh_token).toBeTruthy();

    const reused = await token(base(), tokenPath, { grant_type: 'authorization_code', code, redirect_uri: redirectUri });
    expect(reused).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    const refreshed = await token(base(), tokenPath, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' });
    expect(refreshed.status).toBe(200);
    expect(tokenResponseSchema.parse(refreshed.body).access_token).not.toBe(tokens.access_token);

    expect(store().check(tokens.access_token)).toBe('valid');
    const revokeUrl = name === 'Google' ? `${base()}/revoke?token=${encodeURIComponent(tokens.refresh_token ?? '')}` : `${base()}/2/auth/token/revoke`;
    const revoked = await fetch(revokeUrl, { method: 'POST', headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(revoked.status).toBe(200);
    const afterRevoke = await token(base(), tokenPath, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' });
    expect(afterRevoke).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(store().check(tokens.access_token)).toBe('invalid');
  });

  it('checks the PKCE verifier when the authorize request carried a challenge', async () => {
    const verifier = 'a-long-random-verifier-string-of-enough-length-1234567890';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirect = await authorize(base(), authorizePath, { code_challenge: challenge, code_challenge_method: 'S256' });
    const code = redirect.searchParams.get('code') ?? '';
    const wrong = await token(base(), tokenPath, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: 'wrong' });
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const again = await authorize(base(), authorizePath, { code_challenge: challenge, code_challenge_method: 'S256' });
    const right = await token(base(), tokenPath, {
      grant_type: 'authorization_code',
      code: again.searchParams.get('code') ?? '',
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });
    expect(right.status).toBe(200);
    const unsupported = await token(base(), tokenPath, { grant_type: 'password' });
    expect(unsupported).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
  });
});
