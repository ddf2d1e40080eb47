/**
 * @module oauth/management.test
 * Registering and deleting clients (admins only, redirect URI rules, the
 * secret shown once, audit), the user's grants (list, withdraw), and the
 * RFC 8414 metadata document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../testing/index.js';
import { bearer, getAuthorize, authorizePath, newPkce, obtainTokens, redirectUri, registerTestClient, signIn, tokenRequest } from './oauth-test-harness.js';

let server: TestServer;
let owner: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  owner = await server.newUser();
});
afterAll(async () => {
  await server.close();
});

function createClient(user: TestUser, body: Record<string, unknown>, workspaceId = user.workspace.id): Promise<Response> {
  return user.api(`/api/v1/workspaces/${workspaceId}/oauth-clients`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'App', type: 'confidential', redirectUris: [redirectUri], scopes: ['files:read'], ...body }),
  });
}

describe('client registration', () => {
  it('shows a confidential secret once, stores only its hash, and audits the registration', async () => {
    const response = await createClient(owner, { name: 'Zapier' });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string; clientSecret: string; type: string; redirectUris: string[] };
    expect(created.clientSecret).toMatch(/^fcs_/);
    expect(created.redirectUris).toEqual([redirectUri]);
    const listed = (await (await owner.api(`/api/v1/workspaces/${owner.workspace.id}/oauth-clients`)).json()) as { items: Record<string, unknown>[] };
    const item = listed.items.find((entry) => entry.id === created.id);
    expect(item).toBeDefined();
    expect(JSON.stringify(listed)).not.toContain(created.clientSecret);
    const row = await server.ctx.db.selectFrom('oauth_clients').select('secret_hash').where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    const audit = await server.ctx.db.selectFrom('audit').selectAll().where('action', '=', 'oauth.client_registered').where('target', '=', created.id).execute();
    expect(audit).toHaveLength(1);
  });

  it('accepts https and loopback-IP http redirect URIs, and refuses the rest', async () => {
    const accepted = await createClient(owner, { type: 'public', redirectUris: ['https://a.example.test/cb', 'http://127.0.0.1/cb', 'http://[::1]:8123/cb'] });
    expect(accepted.status).toBe(201);
    for (const uri of ['http://a.example.test/cb', 'http://localhost:8123/cb', 'https://a.example.test/cb#frag', 'not a url', 'javascript:alert(1)', 'https://user:pw@a.example.test/cb']) {
      const refused = await createClient(owner, { redirectUris: [uri] });
      expect(refused.status, uri).toBe(400);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
    }
    const unknownScope = await createClient(owner, { scopes: ['admin'] });
    expect(unknownScope.status).toBe(400);
  });

  it('is for workspace admins and owners only; strangers see 404', async () => {
    const member = await server.newUser();
    await owner.api(`/api/v1/workspaces/${owner.workspace.id}/members`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: member.user.email, role: 'member' }),
    });
    expect((await createClient(member, {}, owner.workspace.id)).status).toBe(403);
    expect((await member.api(`/api/v1/workspaces/${owner.workspace.id}/oauth-clients`)).status).toBe(403);
    const stranger = await server.newUser();
    expect((await createClient(stranger, {}, owner.workspace.id)).status).toBe(404);
  });

  it('deleting a client stops its tokens and its authorize requests at once, and is audited', async () => {
    const client = await registerTestClient(owner, { name: 'Doomed' });
    const cookie = await signIn(server, owner.user.id);
    const tokens = await obtainTokens(server, client, cookie, 'files:read offline_access');
    expect((await bearer(server, tokens.access_token, '/api/v1/me')).status).toBe(200);
    const deleted = await owner.api(`/api/v1/workspaces/${owner.workspace.id}/oauth-clients/${client.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect((await bearer(server, tokens.access_token, '/api/v1/me')).status).toBe(401);
    const refreshed = await tokenRequest(server, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' });
    expect(refreshed.status).toBe(401);
    const page = await getAuthorize(server, authorizePath({ response_type: 'code', client_id: client.id, redirect_uri: redirectUri, scope: 'files:read', code_challenge: newPkce().challenge, code_challenge_method: 'S256' }), cookie);
    expect(page.status).toBe(400);
    expect((await owner.api(`/api/v1/workspaces/${owner.workspace.id}/oauth-clients/${client.id}`, { method: 'DELETE' })).status).toBe(404);
    const audit = await server.ctx.db.selectFrom('audit').selectAll().where('action', '=', 'oauth.client_deleted').where('target', '=', client.id).execute();
    expect(audit).toHaveLength(1);
  });
});

describe('grants', () => {
  it("lists the caller's consents and withdraws one: its tokens stop and the next request asks again", async () => {
    const user = await server.newUser();
    const cookie = await signIn(server, user.user.id);
    const client = await registerTestClient(owner, { name: 'Outlook add-in' });
    const tokens = await obtainTokens(server, client, cookie, 'files:read offline_access');
    const listed = (await (await user.api('/api/v1/oauth/grants')).json()) as { items: { id: string; clientName: string; workspaceId: string; scopes: string[] }[] };
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]).toMatchObject({ clientName: 'Outlook add-in', workspaceId: user.workspace.id, scopes: ['files:read', 'offline_access'] });
    expect(((await (await owner.api('/api/v1/oauth/grants')).json()) as { items: unknown[] }).items).toHaveLength(0);

    const grantId = listed.items[0]?.id ?? '';
    expect((await owner.api(`/api/v1/oauth/grants/${grantId}`, { method: 'DELETE' })).status).toBe(404);
    expect((await user.api(`/api/v1/oauth/grants/${grantId}`, { method: 'DELETE' })).status).toBe(200);
    expect((await bearer(server, tokens.access_token, '/api/v1/me')).status).toBe(401);
    const refreshed = await tokenRequest(server, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' });
    expect(refreshed.status).toBe(400);
    const again = await getAuthorize(server, authorizePath({ response_type: 'code', client_id: client.id, redirect_uri: redirectUri, scope: 'files:read', code_challenge: newPkce().challenge, code_challenge_method: 'S256' }), cookie);
    expect(again.status).toBe(200);
  });
});

describe('metadata (RFC 8414)', () => {
  it('describes the endpoints, scopes and methods under the issuer', async () => {
    const response = await fetch(`${server.url}/.well-known/oauth-authorization-server`);
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: server.url,
      authorization_endpoint: `${server.url}/oauth/authorize`,
      token_endpoint: `${server.url}/oauth/token`,
      revocation_endpoint: `${server.url}/oauth/revoke`,
      introspection_endpoint: `${server.url}/oauth/introspect`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    });
    expect(metadata.scopes_supported).toEqual(['files:read', 'files:write', 'shares:write', 'webhooks:manage', 'offline_access']);
  });
});
