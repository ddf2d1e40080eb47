/**
 * @module marketplace/marketplace.disable.test
 * Disabling an integration stops it, and enabling resumes it, over real HTTP
 * with the webhook worker running and a receiver on 127.0.0.1:
 * - Webhooks: nothing is delivered while disabled (and no endpoint can be
 *   added, switched on or test-sent), then every event of the pause arrives;
 *   a retry that came due during the pause is sent after enable;
 * - Zapier: API calls with its OAuth tokens are refused (403
 *   integration_disabled) while disabled and work again after enable; every
 *   call is measured and audited; removal deletes its REST hooks and revokes
 *   the Ferry-issued tokens (the next call is 401).
 */
import { analyticsReportSchema, auditEntrySchema, errorBodySchema, pageOf, removedIntegrationSchema, webhookEndpointSchema } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bearer, obtainTokens, signIn, type RegisteredClient } from '../oauth/oauth-test-harness.js';
import { startTestServer, waitFor, type TestServer, type TestUser } from '../testing/index.js';
import { fanOutAll } from '../webhooks/fan-out.js';
import { appendTestEvents, startReceiver, type TestReceiver } from '../webhooks/test-receiver.js';

const send = (method: string, body?: unknown): RequestInit => ({ method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body) });

const eventIndexSchema = z.object({ type: z.string(), data: z.object({ data: z.object({ index: z.number() }) }) });

describe('a disabled integration stops and resumes', () => {
  let server: TestServer;
  let admin: TestUser;
  let receiver: TestReceiver;
  const installs = () => `/api/v1/workspaces/${admin.workspace.id}/integrations`;
  const setEnabled = async (integrationId: string, enabled: boolean) => {
    const answer = await admin.api(`${installs()}/${integrationId}`, send('PATCH', { enabled }));
    expect(answer.status).toBe(200);
  };

  beforeAll(async () => {
    server = await startTestServer({ outboundAllowList: ['127.0.0.1'] });
    admin = await server.newUser();
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  it('delivers nothing while Webhooks is disabled, then every event of the pause after enable', async () => {
    expect((await admin.api(installs(), send('POST', { integrationId: 'webhooks', consentedScopes: ['webhooks:manage', 'files:read'] }))).status).toBe(201);
    const created = await admin.api(`/api/v1/workspaces/${admin.workspace.id}/webhooks`, send('POST', { url: `${receiver.url}/paused` }));
    const endpoint = webhookEndpointSchema.parse(await created.json());
    await appendTestEvents(server.ctx, admin.workspace.id, 1);
    await waitFor('the first delivery', () => receiver.received.length === 1);

    await setEnabled('webhooks', false);
    const paused = webhookEndpointSchema.parse(await (await admin.api(`/api/v1/workspaces/${admin.workspace.id}/webhooks/${endpoint.id}`)).json());
    expect(paused).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('disabled in the marketplace') });
    // Nothing starts deliveries another way while it is disabled.
    const refusals = [
      await admin.api(`/api/v1/workspaces/${admin.workspace.id}/webhooks`, send('POST', { url: `${receiver.url}/new` })),
      await admin.api(`/api/v1/workspaces/${admin.workspace.id}/webhooks/${endpoint.id}`, send('PATCH', { enabled: true })),
      await admin.api(`/api/v1/webhooks/${endpoint.id}/test`, send('POST')),
    ];
    for (const refused of refusals) {
      expect(refused.status).toBe(403);
      expect(errorBodySchema.parse(await refused.json()).error.code).toBe('integration_disabled');
    }
    expect((await admin.api(`/api/v1/workspaces/${admin.workspace.id}/webhooks/${endpoint.id}`, send('PATCH', { description: 'still editable' }))).status).toBe(200);
    await appendTestEvents(server.ctx, admin.workspace.id, 2);
    // The fan-out makes no delivery for a paused endpoint (its cursor stays where the pause began).
    expect(await fanOutAll(server.ctx.db, server.ctx.clock)).toBe(0);
    const deliveries = await server.ctx.db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', endpoint.id).execute();
    expect(deliveries).toHaveLength(1);
    expect(receiver.received).toHaveLength(1);

    await setEnabled('webhooks', true);
    await waitFor('the events of the pause', () => receiver.received.length === 3);
    const indexes = receiver.received.map((request) => eventIndexSchema.parse(JSON.parse(request.body)).data.data.index);
    expect(indexes).toEqual([0, 0, 1]);
    expect(new Set(receiver.received.map((request) => request.webhookHeaders['webhook-id'])).size).toBe(3);
    const resumed = webhookEndpointSchema.parse(await (await admin.api(`/api/v1/workspaces/${admin.workspace.id}/webhooks/${endpoint.id}`)).json());
    expect(resumed).toMatchObject({ enabled: true, disabledReason: null });
  });

  it('sends a retry that came due while Webhooks was disabled once it is enabled again', async () => {
    receiver.received.length = 0;
    let failures = 1;
    receiver.respond = () => (failures-- > 0 ? { status: 503 } : { status: 200 });
    await appendTestEvents(server.ctx, admin.workspace.id, 1);
    await waitFor('the first, failed attempt', () => receiver.received.length === 1);
    const [delivery] = await server.ctx.db.selectFrom('webhook_deliveries').select(['id', 'status']).orderBy('created_at', 'desc').limit(1).execute();
    if (delivery === undefined) throw new Error('no delivery');

    await setEnabled('webhooks', false);
    // The retry (about 5 s later) finds the endpoint paused; the worker sets it aside.
    const status = async () => (await server.ctx.db.selectFrom('webhook_deliveries').select('status').where('id', '=', delivery.id).executeTakeFirstOrThrow()).status;
    await waitFor('the retry to come due during the pause', async () => (await status()) === 'cancelled');
    expect(receiver.received).toHaveLength(1);
    // An edit of the endpoint during the pause changes nothing of that.
    const endpoint = await server.ctx.db.selectFrom('webhook_deliveries').select('endpoint_id').where('id', '=', delivery.id).executeTakeFirstOrThrow();
    expect((await admin.api(`/api/v1/workspaces/${admin.workspace.id}/webhooks/${endpoint.endpoint_id}`, send('PATCH', { description: 'edited while paused' }))).status).toBe(200);

    await setEnabled('webhooks', true);
    await waitFor('the retry after enable', async () => (await status()) === 'succeeded');
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]?.webhookHeaders['webhook-id']).toBe(delivery.id);

    // Every delivery attempt is measured: 3 + 1 answered 200, one 503.
    const report = analyticsReportSchema.parse(await (await admin.api(`/api/v1/workspaces/${admin.workspace.id}/analytics?integration=webhooks`)).json());
    const deliver = report.integrations[0]?.operations.find((operation) => operation.operation === 'deliver');
    expect(deliver).toMatchObject({ calls: 5, errors: 1, errorsByKind: { http_5xx: 1 } });
    expect(deliver?.bytesOut).toBeGreaterThan(0);
  });

  it("refuses Zapier's OAuth tokens while it is disabled, measures and audits each call, and revokes them on removal", async () => {
    const zapierScopes = ['files:read', 'files:write', 'shares:write', 'webhooks:manage'];
    expect((await admin.api(installs(), send('POST', { integrationId: 'zapier', consentedScopes: zapierScopes }))).status).toBe(201);
    const registered = await admin.api(
      `/api/v1/workspaces/${admin.workspace.id}/oauth-clients`,
      send('POST', { name: 'Zapier', type: 'confidential', redirectUris: ['https://zapier.example.test/callback'], scopes: ['files:read', 'files:write', 'webhooks:manage', 'offline_access'], integrationId: 'zapier' }),
    );
    expect(registered.status).toBe(201);
    const client = (await registered.json()) as RegisteredClient;
    expect(client.integrationId).toBe('zapier');
    const unknown = await admin.api(`/api/v1/workspaces/${admin.workspace.id}/oauth-clients`, send('POST', { name: 'X', type: 'public', redirectUris: ['https://x.example.test/cb'], scopes: ['files:read'], integrationId: 'teams' }));
    expect(unknown.status).toBe(404);

    const cookie = await signIn(server, admin.user.id);
    const tokens = await obtainTokens(server, client, cookie, 'files:read files:write webhooks:manage offline_access', admin.workspace.id);
    const workspacePath = `/api/v1/workspaces/${admin.workspace.id}`;
    expect((await bearer(server, tokens.access_token, workspacePath)).status).toBe(200);
    const hook = await bearer(server, tokens.access_token, '/api/v1/hooks', send('POST', { target_url: `${receiver.url}/zap`, event: 'file.created' }));
    expect(hook.status).toBe(201);

    await setEnabled('zapier', false);
    const refused = await bearer(server, tokens.access_token, workspacePath);
    expect(refused.status).toBe(403);
    expect(errorBodySchema.parse(await refused.json()).error.code).toBe('integration_disabled');
    const restHook = await server.ctx.db.selectFrom('webhook_endpoints').select(['enabled']).where('kind', '=', 'rest_hook').executeTakeFirstOrThrow();
    expect(restHook.enabled).toBe(0);

    await setEnabled('zapier', true);
    const workspace = z.object({ rootFolderId: z.string() }).parse(await (await bearer(server, tokens.access_token, workspacePath)).json());
    const uploaded = await bearer(server, tokens.access_token, `/api/v1/nodes/${workspace.rootFolderId}/files/zap.txt`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: 'hello from a zap' });
    expect([200, 201]).toContain(uploaded.status);
    // The upload's file.created goes to the REST hook: a delivery Zapier subscribed, counted under zapier.
    await waitFor('the REST hook delivery', () => receiver.received.some((request) => request.path === '/zap'));
    const deliveredAt = Date.now();
    const report = await (async () => {
      for (;;) {
        const parsed = analyticsReportSchema.parse(await (await admin.api(`/api/v1/workspaces/${admin.workspace.id}/analytics?integration=zapier`)).json());
        if (parsed.totals.calls >= 6 || Date.now() - deliveredAt > 5_000) return parsed;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    expect(report.totals).toMatchObject({ calls: 6, errors: 1, errorsByKind: { http_4xx: 1 }, activeUsers: 1, files: 1 });
    expect(report.totals.bytesIn).toBeGreaterThanOrEqual('hello from a zap'.length);
    expect(report.integrations[0]?.operations.map((operation) => [operation.operation, operation.calls])).toEqual([
      ['deliver', 1],
      ['getWorkspace', 3],
      ['putFileByName', 1],
      ['subscribeRestHook', 1],
    ]);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('ferry_integration_calls_total{integration="zapier",operation="getWorkspace",outcome="http_4xx"} 1');
    expect(metrics).toContain('ferry_integration_active_users{integration="zapier"} 1');

    const audit = pageOf(auditEntrySchema).parse(await (await admin.api(`/api/v1/workspaces/${admin.workspace.id}/audit?limit=100`)).json());
    const used = audit.items.filter((entry) => entry.action === 'integration.token_used');
    // The write, and the first read (later reads within a minute are folded into it).
    expect(used.map((entry) => entry.details)).toEqual([
      { clientId: client.id, method: 'PUT', route: 'putFileByName', status: uploaded.status },
      { clientId: client.id, method: 'POST', route: 'subscribeRestHook', status: 201 },
      { clientId: client.id, method: 'GET', route: 'getWorkspace', status: 200 },
    ]);
    expect(used.every((entry) => entry.target === 'zapier' && entry.actorId === admin.user.id)).toBe(true);

    const removed = removedIntegrationSchema.parse(await (await admin.api(`${installs()}/zapier`, send('DELETE'))).json());
    expect(removed.revoked).toMatchObject({ webhookEndpoints: 1, oauthTokens: 2 });
    expect((await bearer(server, tokens.access_token, workspacePath)).status).toBe(401);
    const refreshed = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.id}:${client.clientSecret ?? ''}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' }).toString(),
    });
    expect(refreshed.status).toBe(400);
    expect(await server.ctx.db.selectFrom('webhook_endpoints').select('id').where('kind', '=', 'rest_hook').execute()).toEqual([]);
    const grants = await server.ctx.db.selectFrom('oauth_grants').select('id').where('client_id', '=', client.id).execute();
    expect(grants).toEqual([]);
  });
});
