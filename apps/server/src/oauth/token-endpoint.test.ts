/**
 * @module oauth/token-endpoint.test
 * `POST /oauth/token` with grant_type=authorization_code, against the rules of
 * RFC 6749 §4.1.3/§5 and RFC 7636: client authentication, PKCE, redirect_uri
 * equality, single-use codes (a replay revokes the tokens), expiry, error shape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../testing/index.js';
import {
  authorizePath,
  basicAuthorization,
  getAuthorize,
  bearer,
  newPkce,
  obtainCode,
  postForm,
  redirectParameters,
  redirectUri,
  registerTestClient,
  signIn,
  tokenRequest,
  type RegisteredClient,
} from './oauth-test-harness.js';

let server: TestServer;
let owner: TestUser;
let client: RegisteredClient;
let cookie: string;

beforeAll(async () => {
  server = await startTestServer();
  owner = await server.newUser();
  client = await registerTestClient(owner);
  cookie = await signIn(server, owner.user.id);
});
afterAll(async () => {
  await server.close();
});

async function expectOAuthError(response: Response, status: number, error: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('pragma')).toBe('no-cache');
  const body = (await response.json()) as Record<string, unknown>;
  expect(body.error).toBe(error);
  expect(typeof body.error_description).toBe('string');
}

function exchange(code: string, verifier: string, overrides: Record<string, string> = {}) {
  return tokenRequest(server, client, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, ...overrides });
}

describe('authorization_code grant', () => {
  it('accepts client_secret_post as well as client_secret_basic', async () => {
    const { code, verifier } = await obtainCode(server, client, cookie, 'files:read');
    const response = await postForm(server, '/oauth/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      client_id: client.id,
      client_secret: client.clientSecret ?? '',
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.scope).toBe('files:read');
    expect(body.refresh_token).toBeUndefined();
  });

  it('refuses a wrong PKCE verifier, and the code stays usable by the rightful client', async () => {
    const { code, verifier } = await obtainCode(server, client, cookie, 'files:read');
    await expectOAuthError(await exchange(code, newPkce().verifier), 400, 'invalid_grant');
    await expectOAuthError(await exchange(code, verifier, { code_verifier: '' }), 400, 'invalid_request');
    expect((await exchange(code, verifier)).status).toBe(200);
  });

  it('refuses a redirect_uri that differs from the authorization request', async () => {
    const { code, verifier } = await obtainCode(server, client, cookie, 'files:read');
    await expectOAuthError(await exchange(code, verifier, { redirect_uri: `${redirectUri}?x=1` }), 400, 'invalid_grant');
    await expectOAuthError(await exchange(code, verifier, { redirect_uri: '' }), 400, 'invalid_request');
  });

  it('treats a reused code as stolen: invalid_grant, and the tokens issued from it are revoked', async () => {
    const { code, verifier } = await obtainCode(server, client, cookie, 'files:read offline_access');
    const first = await exchange(code, verifier);
    expect(first.status).toBe(200);
    const tokens = (await first.json()) as { access_token: string; refresh_token: string };
    expect((await bearer(server, tokens.access_token, '/api/v1/me')).status).toBe(200);

    await expectOAuthError(await exchange(code, verifier), 400, 'invalid_grant');
    expect((await bearer(server, tokens.access_token, '/api/v1/me')).status).toBe(401);
    await expectOAuthError(await tokenRequest(server, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }), 400, 'invalid_grant');
    const audit = await server.ctx.db.selectFrom('audit').select(['action', 'details']).where('action', '=', 'oauth.code_reused').execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]?.details ?? '{}')).toMatchObject({ tokensRevoked: 2 });
  });

  it('refuses an expired code (60 s lifetime)', async () => {
    const { code, verifier } = await obtainCode(server, client, cookie, 'files:read');
    const realClock = server.ctx.clock;
    server.ctx.clock = { now: () => new Date(Date.now() + 61_000) };
    try {
      await expectOAuthError(await exchange(code, verifier), 400, 'invalid_grant');
    } finally {
      server.ctx.clock = realClock;
    }
  });

  it('lets a confidential client go without PKCE, but then refuses a stray code_verifier', async () => {
    const state = 'no-pkce';
    const path = authorizePath({ response_type: 'code', client_id: client.id, redirect_uri: redirectUri, scope: 'files:read', state });
    const response = await getAuthorize(server, path, cookie);
    expect(response.status).toBe(302);
    const code = redirectParameters(response).get('code') ?? '';
    await expectOAuthError(await exchange(code, newPkce().verifier), 400, 'invalid_grant');
    const ok = await tokenRequest(server, client, { grant_type: 'authorization_code', code, redirect_uri: redirectUri });
    expect(ok.status).toBe(200);
  });

  it("refuses another client's code", async () => {
    const other = await registerTestClient(owner, { name: 'Other' });
    const { code, verifier } = await obtainCode(server, client, cookie, 'files:read');
    const response = await tokenRequest(server, other, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier });
    await expectOAuthError(response, 400, 'invalid_grant');
  });
});

describe('client authentication and request errors', () => {
  it('answers invalid_client 401 with a Basic challenge for a wrong secret sent by HTTP Basic', async () => {
    const response = await postForm(server, '/oauth/token', { grant_type: 'authorization_code', code: 'x', redirect_uri: redirectUri }, { authorization: basicAuthorization(client.id, 'wrong') });
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    await expectOAuthError(response, 401, 'invalid_client');
  });

  it('answers invalid_client for an unknown client, a missing secret, or a secret sent by a public client', async () => {
    const unknown = await postForm(server, '/oauth/token', { grant_type: 'authorization_code', client_id: 'cli_unknown', client_secret: 's' });
    await expectOAuthError(unknown, 401, 'invalid_client');
    const noSecret = await postForm(server, '/oauth/token', { grant_type: 'authorization_code', client_id: client.id });
    await expectOAuthError(noSecret, 401, 'invalid_client');
    const publicClient = await registerTestClient(owner, { type: 'public', name: 'Public' });
    const withSecret = await postForm(server, '/oauth/token', { grant_type: 'authorization_code', client_id: publicClient.id, client_secret: 'x' });
    await expectOAuthError(withSecret, 401, 'invalid_client');
    const nobody = await postForm(server, '/oauth/token', { grant_type: 'authorization_code' });
    await expectOAuthError(nobody, 401, 'invalid_client');
  });

  it('refuses two authentication methods at once, repeated parameters and non-form bodies (invalid_request)', async () => {
    const both = await postForm(server, '/oauth/token', { grant_type: 'authorization_code', client_secret: client.clientSecret ?? '' }, { authorization: basicAuthorization(client.id, client.clientSecret ?? '') });
    await expectOAuthError(both, 400, 'invalid_request');
    const repeated = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuthorization(client.id, client.clientSecret ?? '') },
      body: 'grant_type=authorization_code&code=a&code=b',
    });
    await expectOAuthError(repeated, 400, 'invalid_request');
    const json = await fetch(`${server.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_type":"authorization_code"}' });
    await expectOAuthError(json, 400, 'invalid_request');
  });

  it('answers unsupported_grant_type and invalid_request for a missing grant_type', async () => {
    await expectOAuthError(await tokenRequest(server, client, { grant_type: 'password', username: 'a', password: 'b' }), 400, 'unsupported_grant_type');
    await expectOAuthError(await tokenRequest(server, client, { code: 'x' }), 400, 'invalid_request');
  });

  it('answers unauthorized_client for refresh_token from a client not registered for offline_access', async () => {
    const onlineOnly = await registerTestClient(owner, { scopes: ['files:read'], name: 'Online only' });
    await expectOAuthError(await tokenRequest(server, onlineOnly, { grant_type: 'refresh_token', refresh_token: 'frt_x' }), 400, 'unauthorized_client');
  });
});
