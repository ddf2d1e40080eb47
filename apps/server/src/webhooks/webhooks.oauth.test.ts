/**
 * @module webhooks/webhooks.oauth.test
 * REST hooks as Zapier calls them, with an OAuth access token: the
 * `webhooks:manage` scope is required, the workspace is the one the token was
 * granted, and the subscription delivers to target_url until unsubscribed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, obtainTokens, registerTestClient, signIn } from '../oauth/oauth-test-harness.js';
import { startTestServer, type TestServer, type TestUser } from '../testing/index.js';
import { installForTest } from '../testing/install-integration.js';
import { appendTestEvents, startReceiver, type TestReceiver } from './test-receiver.js';

describe('REST hooks with an OAuth access token', () => {
  let server: TestServer;
  let owner: TestUser;
  let receiver: TestReceiver;

  beforeAll(async () => {
    server = await startTestServer({ outboundAllowList: ['127.0.0.1'] });
    owner = await server.newUser();
    // REST hooks are what the Zapier integration subscribes: usable only while it is installed.
    await installForTest(owner.api, owner.workspace.id, 'zapier');
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  it('needs webhooks:manage, then subscribes in the granted workspace and delivers', async () => {
    const client = await registerTestClient(owner, { scopes: ['files:read', 'webhooks:manage'], name: 'Zapier' });
    const cookie = await signIn(server, owner.user.id);
    const subscribe = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target_url: `${receiver.url}/zap`, event: 'file.created' }) };

    const readOnly = await obtainTokens(server, client, cookie, 'files:read', owner.workspace.id);
    const refused = await bearer(server, readOnly.access_token, '/api/v1/hooks', subscribe);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'insufficient_scope' } });

    const { access_token: token } = await obtainTokens(server, client, cookie, 'webhooks:manage', owner.workspace.id);
    const subscribed = await bearer(server, token, '/api/v1/hooks', subscribe);
    expect(subscribed.status).toBe(201);
    const { id } = (await subscribed.json()) as { id: string };
    const endpoint = await server.ctx.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(endpoint).toMatchObject({ workspace_id: owner.workspace.id, kind: 'rest_hook', event_types: '["file.created"]' });

    await appendTestEvents(server.ctx, owner.workspace.id, 1);
    const deadline = Date.now() + 10_000;
    while (receiver.received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(JSON.parse(receiver.received[0]?.body ?? '{}')).toMatchObject({ type: 'file.created', data: { workspaceId: owner.workspace.id } });

    expect((await bearer(server, token, `/api/v1/hooks/${id}`, { method: 'DELETE' })).status).toBe(200);
    const audit = await server.ctx.db.selectFrom('audit').select('action').where('target', '=', id).execute();
    expect(audit.map((row) => row.action)).toEqual(['webhook.hook_subscribed', 'webhook.hook_unsubscribed']);
  });
});
