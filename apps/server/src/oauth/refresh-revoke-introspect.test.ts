/**
 * @module oauth/refresh-revoke-introspect.test
 * Refresh-token rotation and reuse detection (RFC 6749 §6, RFC 9700), token
 * revocation (RFC 7009) and introspection (RFC 7662), seen by clients and by
 * the API the tokens open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../testing/index.js';
import { bearer, obtainTokens, registerTestClient, signIn, tokenRequest, type RegisteredClient, type Tokens } from './oauth-test-harness.js';

let server: TestServer;
let owner: TestUser;
let client: RegisteredClient;
let cookie: string;

beforeAll(async () => {
  server = await startTestServer();
  owner = await server.newUser();
  client = await registerTestClient(owner, { scopes: ['files:read', 'files:write', 'shares:write', 'offline_access'] });
  cookie = await signIn(server, owner.user.id);
});
afterAll(async () => {
  await server.close();
});

const me = (token: string) => bearer(server, token, '/api/v1/me').then((response) => response.status);

async function refresh(refreshToken: string, extra: Record<string, string> = {}, as: RegisteredClient = client): Promise<Response> {
  return tokenRequest(server, as, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra }, '/oauth/token');
}

async function introspect(token: string, as: RegisteredClient = client): Promise<Record<string, unknown>> {
  const response = await tokenRequest(server, as, { token }, '/oauth/introspect');
  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return (await response.json()) as Record<string, unknown>;
}

describe('refresh_token grant', () => {
  it('rotates: every use answers a new refresh token, and the new access token works', async () => {
    const first = await obtainTokens(server, client, cookie, 'files:read offline_access');
    const response = await refresh(first.refresh_token ?? '');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const second = (await response.json()) as Tokens;
    expect(second.refresh_token).toMatch(/^frt_/);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.scope).toBe('files:read offline_access');
    expect(await me(second.access_token)).toBe(200);
    const third = await refresh(second.refresh_token ?? '');
    expect(third.status).toBe(200);
  });

  it('detects reuse: an old refresh token is invalid_grant and the whole family dies', async () => {
    const first = await obtainTokens(server, client, cookie, 'files:read offline_access');
    const second = (await (await refresh(first.refresh_token ?? '')).json()) as Tokens;
    expect(await me(second.access_token)).toBe(200);

    const replay = await refresh(first.refresh_token ?? '');
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant');
    expect(await me(first.access_token)).toBe(401);
    expect(await me(second.access_token)).toBe(401);
    const next = await refresh(second.refresh_token ?? '');
    expect(next.status).toBe(400);
    expect(((await next.json()) as { error: string }).error).toBe('invalid_grant');
    const audit = await server.ctx.db.selectFrom('audit').select('action').where('action', '=', 'oauth.refresh_token_reused').execute();
    expect(audit.length).toBeGreaterThanOrEqual(1);
  });

  it('lets scope only narrow, and the rotated refresh token keeps the original grant', async () => {
    const first = await obtainTokens(server, client, cookie, 'files:read files:write offline_access');
    const wider = await refresh(first.refresh_token ?? '', { scope: 'files:read shares:write' });
    expect(wider.status).toBe(400);
    expect(((await wider.json()) as { error: string }).error).toBe('invalid_scope');

    const narrow = await refresh(first.refresh_token ?? '', { scope: 'files:read' });
    expect(narrow.status).toBe(200);
    const narrowed = (await narrow.json()) as Tokens;
    expect(narrowed.scope).toBe('files:read');
    const folder = await bearer(server, narrowed.access_token, `/api/v1/nodes/${owner.workspace.rootFolderId}/folders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'narrowed' }),
    });
    expect(folder.status).toBe(403);

    const full = (await (await refresh(narrowed.refresh_token ?? '')).json()) as Tokens;
    expect(full.scope).toBe('files:read files:write offline_access');
  });

  it('issues no refresh token without offline_access, and refuses refresh tokens of other clients', async () => {
    const online = await obtainTokens(server, client, cookie, 'files:read');
    expect(online.refresh_token).toBeUndefined();
    const other = await registerTestClient(owner, { name: 'Other' });
    const tokens = await obtainTokens(server, client, cookie, 'files:read offline_access');
    const stolen = await refresh(tokens.refresh_token ?? '', {}, other);
    expect(stolen.status).toBe(400);
    expect(((await stolen.json()) as { error: string }).error).toBe('invalid_grant');
    expect((await refresh('frt_unknown')).status).toBe(400);
  });
});

describe('revocation (RFC 7009)', () => {
  it('answers 200 for unknown tokens and for tokens revoked already', async () => {
    const response = await tokenRequest(server, client, { token: 'not-a-token', token_type_hint: 'access_token' }, '/oauth/revoke');
    expect(response.status).toBe(200);
    const tokens = await obtainTokens(server, client, cookie, 'files:read');
    expect((await tokenRequest(server, client, { token: tokens.access_token }, '/oauth/revoke')).status).toBe(200);
    expect((await tokenRequest(server, client, { token: tokens.access_token }, '/oauth/revoke')).status).toBe(200);
  });

  it('revoking an access token stops it on the API at once', async () => {
    const tokens = await obtainTokens(server, client, cookie, 'files:read offline_access');
    expect(await me(tokens.access_token)).toBe(200);
    const response = await tokenRequest(server, client, { token: tokens.access_token, token_type_hint: 'access_token' }, '/oauth/revoke');
    expect(response.status).toBe(200);
    expect(await me(tokens.access_token)).toBe(401);
    // The refresh token is left alone: it still answers a new access token.
    expect((await refresh(tokens.refresh_token ?? '')).status).toBe(200);
  });

  it("revoking a refresh token (even with a wrong hint) revokes its family's access tokens", async () => {
    const tokens = await obtainTokens(server, client, cookie, 'files:read offline_access');
    const response = await tokenRequest(server, client, { token: tokens.refresh_token ?? '', token_type_hint: 'access_token' }, '/oauth/revoke');
    expect(response.status).toBe(200);
    expect(await me(tokens.access_token)).toBe(401);
    expect((await refresh(tokens.refresh_token ?? '')).status).toBe(400);
    const audit = await server.ctx.db.selectFrom('audit').select(['action', 'details']).where('action', '=', 'oauth.token_revoked').execute();
    expect(audit.some((row) => JSON.parse(row.details ?? '{}').kind === 'refresh')).toBe(true);
  });

  it("refuses to revoke another client's token (RFC 7009 §2.1) and leaves it working", async () => {
    const tokens = await obtainTokens(server, client, cookie, 'files:read');
    const other = await registerTestClient(owner, { name: 'Revoking other' });
    const response = await tokenRequest(server, other, { token: tokens.access_token }, '/oauth/revoke');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('unauthorized_client');
    expect(await me(tokens.access_token)).toBe(200);
  });

  it('requires client authentication and the token parameter', async () => {
    const tokens = await obtainTokens(server, client, cookie, 'files:read');
    const anonymous = await fetch(`${server.url}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.access_token }).toString(),
    });
    expect(anonymous.status).toBe(401);
    expect(await me(tokens.access_token)).toBe(200);
    const missing = await tokenRequest(server, client, {}, '/oauth/revoke');
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toBe('invalid_request');
  });
});

describe('introspection (RFC 7662)', () => {
  it('describes a live access token, and answers active:false once it is revoked', async () => {
    const tokens = await obtainTokens(server, client, cookie, 'files:read offline_access');
    const answer = await introspect(tokens.access_token);
    expect(answer).toMatchObject({
      active: true,
      scope: 'files:read offline_access',
      client_id: client.id,
      token_type: 'Bearer',
      sub: owner.user.id,
      username: owner.user.email,
      iss: server.url,
      ferry_workspace_id: owner.workspace.id,
    });
    expect(Number(answer.exp) - Number(answer.iat)).toBe(3600);
    expect(await introspect(tokens.refresh_token ?? '')).toMatchObject({ active: true, client_id: client.id });

    await tokenRequest(server, client, { token: tokens.refresh_token ?? '' }, '/oauth/revoke');
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
    expect(await introspect(tokens.refresh_token ?? '')).toEqual({ active: false });
  });

  it('answers active:false for unknown, expired and rotated tokens, and for tokens of other clients', async () => {
    expect(await introspect('garbage')).toEqual({ active: false });
    const tokens = await obtainTokens(server, client, cookie, 'files:read offline_access');
    const other = await registerTestClient(owner, { name: 'Introspecting other' });
    expect(await introspect(tokens.access_token, other)).toEqual({ active: false });
    await refresh(tokens.refresh_token ?? '');
    expect(await introspect(tokens.refresh_token ?? '')).toEqual({ active: false });
    const realClock = server.ctx.clock;
    server.ctx.clock = { now: () => new Date(Date.now() + 3601_000) };
    try {
      expect(await introspect(tokens.access_token)).toEqual({ active: false });
      expect(await me(tokens.access_token)).toBe(401);
    } finally {
      server.ctx.clock = realClock;
    }
  });

  it('is closed to public clients and to callers without client authentication', async () => {
    const desktop = await registerTestClient(owner, { type: 'public', name: 'Desktop' });
    const response = await tokenRequest(server, desktop, { token: 'x' }, '/oauth/introspect');
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_client');
  });
});
