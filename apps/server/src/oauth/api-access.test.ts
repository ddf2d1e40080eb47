/**
 * @module oauth/api-access.test
 * What an OAuth access token may do on the REST API: only routes whose scope
 * it holds (403 insufficient_scope with a Bearer challenge otherwise), only in
 * its granted workspace (404 elsewhere), never the account's own settings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../auth/actor.js';
import { startTestServer, type TestServer, type TestUser } from '../testing/index.js';
import { requireRole } from '../workspaces/access.js';
import { bearer, obtainTokens, registerTestClient, signIn, type RegisteredClient } from './oauth-test-harness.js';

let server: TestServer;
let owner: TestUser;
let client: RegisteredClient;
let cookie: string;
let otherWorkspaceId: string;

beforeAll(async () => {
  server = await startTestServer();
  owner = await server.newUser();
  client = await registerTestClient(owner, { scopes: ['files:read', 'files:write', 'shares:write', 'offline_access'] });
  cookie = await signIn(server, owner.user.id);
  const created = await owner.api('/api/v1/workspaces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Elsewhere' }) });
  otherWorkspaceId = ((await created.json()) as { id: string }).id;
});
afterAll(async () => {
  await server.close();
});

describe('scopes on the API', () => {
  it('a files:read token reads but cannot write: 403 insufficient_scope naming the scope', async () => {
    const { access_token: token } = await obtainTokens(server, client, cookie, 'files:read', owner.workspace.id);
    expect((await bearer(server, token, `/api/v1/nodes/${owner.workspace.rootFolderId}/children`)).status).toBe(200);

    const put = await bearer(server, token, `/api/v1/nodes/${owner.workspace.rootFolderId}/files/notes.txt`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: 'hello',
    });
    expect(put.status).toBe(403);
    expect(put.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="files:write"');
    expect(((await put.json()) as { error: { code: string } }).error.code).toBe('insufficient_scope');

    const mkdir = await bearer(server, token, `/api/v1/nodes/${owner.workspace.rootFolderId}/folders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'nope' }),
    });
    expect(mkdir.status).toBe(403);
    const listing = (await (await owner.api(`/api/v1/nodes/${owner.workspace.rootFolderId}/children`)).json()) as { items: { name: string }[] };
    expect(listing.items.map((item) => item.name)).not.toContain('nope');
  });

  it('a files:write token writes', async () => {
    const { access_token: token } = await obtainTokens(server, client, cookie, 'files:read files:write', owner.workspace.id);
    const mkdir = await bearer(server, token, `/api/v1/nodes/${owner.workspace.rootFolderId}/folders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'From the app' }),
    });
    expect(mkdir.status).toBe(201);
  });

  it('routes without a scope (tokens, clients, grants, members) are closed to OAuth tokens', async () => {
    const { access_token: token } = await obtainTokens(server, client, cookie, 'files:read files:write shares:write', owner.workspace.id);
    const mint = await bearer(server, token, '/api/v1/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'escalate' }) });
    expect(mint.status).toBe(403);
    expect(mint.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
    expect((await bearer(server, token, '/api/v1/oauth/grants')).status).toBe(403);
    expect((await bearer(server, token, `/api/v1/workspaces/${owner.workspace.id}/oauth-clients`)).status).toBe(403);
    // Personal API tokens are not limited by scopes.
    expect((await owner.api('/api/v1/oauth/grants')).status).toBe(200);
  });

  it('acts only in the granted workspace: another of the same user answers 404', async () => {
    const { access_token: token } = await obtainTokens(server, client, cookie, 'files:read', owner.workspace.id);
    expect((await bearer(server, token, `/api/v1/workspaces/${owner.workspace.id}`)).status).toBe(200);
    const elsewhere = await bearer(server, token, `/api/v1/workspaces/${otherWorkspaceId}`);
    expect(elsewhere.status).toBe(404);
    expect(((await elsewhere.json()) as { error: { code: string } }).error.code).toBe('workspace_not_found');
    expect((await owner.api(`/api/v1/workspaces/${otherWorkspaceId}`)).status).toBe(200);
  });

  it('requireRole refuses other workspaces to a workspace-bound actor, and leaves unbound actors alone', async () => {
    const bound: Actor = { userId: owner.user.id, tokenId: null, sessionId: null, source: 'test', scopes: ['files:read'], workspaceId: owner.workspace.id };
    await expect(requireRole(server.ctx, bound, owner.workspace.id)).resolves.toBe('owner');
    await expect(requireRole(server.ctx, bound, otherWorkspaceId)).rejects.toMatchObject({ code: 'workspace_not_found' });
    const unbound: Actor = { userId: owner.user.id, tokenId: null, sessionId: null, source: 'test' };
    await expect(requireRole(server.ctx, unbound, otherWorkspaceId)).resolves.toBe('owner');
  });

  it('a token stops working when the user leaves the workspace it was granted for', async () => {
    const member = await server.newUser();
    const added = await owner.api(`/api/v1/workspaces/${owner.workspace.id}/members`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: member.user.email, role: 'member' }),
    });
    expect(added.status).toBe(201);
    const memberCookie = await signIn(server, member.user.id);
    const tokens = await obtainTokens(server, client, memberCookie, 'files:read offline_access', owner.workspace.id);
    expect((await bearer(server, tokens.access_token, `/api/v1/nodes/${owner.workspace.rootFolderId}/children`)).status).toBe(200);
    await server.ctx.db.deleteFrom('members').where('workspace_id', '=', owner.workspace.id).where('user_id', '=', member.user.id).execute();
    expect((await bearer(server, tokens.access_token, `/api/v1/nodes/${owner.workspace.rootFolderId}/children`)).status).toBe(404);
  });
});
