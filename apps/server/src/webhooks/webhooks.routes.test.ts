/**
 * @module webhooks/webhooks.routes.test
 * Webhook management through the real API, with the delivery worker running:
 * admins only, secrets only in create/rotate answers (and encrypted at rest),
 * SSRF-refused URLs, filtered signed deliveries that verify with the spec
 * library, the delivery log, replay, the test message, REST hooks, the audit trail.
 */
import { webhookDeliverySchema, webhookEndpointSchema, webhookEndpointWithSecretSchema, pageOf } from '@ferry/core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, waitFor, type TestServer, type TestUser } from '../testing/index.js';
import { installForTest } from '../testing/install-integration.js';
import { appendTestEvents, startReceiver, type TestReceiver } from './test-receiver.js';

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('webhook routes', () => {
  let server: TestServer;
  let admin: TestUser;
  let receiver: TestReceiver;

  beforeAll(async () => {
    server = await startTestServer({ outboundAllowList: ['127.0.0.1'], outboundTimeoutMs: 2000 });
    admin = await server.newUser();
    // Endpoints belong to the Webhooks integration, REST hooks to Zapier: both must be installed.
    await installForTest(admin.api, admin.workspace.id, 'webhooks');
    await installForTest(admin.api, admin.workspace.id, 'zapier');
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  const base = () => `/api/v1/workspaces/${admin.workspace.id}/webhooks`;

  it('creates an endpoint, returns its secret once, keeps it encrypted, and delivers matching events signed', async () => {
    const created = await admin.api(base(), json({ url: `${receiver.url}/hooks/a`, description: 'files only', eventTypes: ['file.created'] }));
    expect(created.status).toBe(201);
    const endpoint = webhookEndpointWithSecretSchema.parse(await created.json());
    expect(endpoint.secret).toMatch(/^whsec_/);

    const stored = await server.ctx.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', endpoint.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(endpoint.secret.slice('whsec_'.length));

    const listed = (await (await admin.api(base())).json()) as { items: unknown[] };
    expect(JSON.stringify(listed)).not.toContain(endpoint.secret);
    const got = webhookEndpointSchema.strict().parse(await (await admin.api(`${base()}/${endpoint.id}`)).json());
    expect(got.eventTypes).toEqual(['file.created']);

    await appendTestEvents(server.ctx, admin.workspace.id, 1, 'folder.created');
    await appendTestEvents(server.ctx, admin.workspace.id, 3, 'file.created');
    await waitFor('three deliveries', () => receiver.received.filter((r) => r.path === '/hooks/a').length >= 3);
    const mine = receiver.received.filter((r) => r.path === '/hooks/a');
    expect(mine).toHaveLength(3);
    const verifier = new Webhook(endpoint.secret);
    for (const request of mine) {
      const payload = verifier.verify(request.body, request.webhookHeaders) as { type: string; timestamp: string; data: { type: string; workspaceId: string; seq: number } };
      expect(payload.type).toBe('file.created');
      expect(payload.data).toMatchObject({ type: 'file.created', workspaceId: admin.workspace.id });
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.webhookHeaders['webhook-id']).toMatch(/^msg_/);
    }

    // The log shows an attempt once the worker has recorded it (the answer travels back from the sender first).
    const readLog = async () => pageOf(webhookDeliverySchema).parse(await (await admin.api(`/api/v1/webhooks/${endpoint.id}/deliveries?limit=2`)).json());
    const log = await waitFor('the attempts recorded', async () => {
      const page = await readLog();
      return page.items.every((item) => item.status !== 'pending') ? page : null;
    });
    expect(log.items).toHaveLength(2);
    expect(log.nextCursor).not.toBeNull();
    const first = log.items[0];
    expect(first?.status).toBe('succeeded');
    expect(first?.attemptLog[0]).toMatchObject({ attempt: 1, responseStatus: 200, error: null });
    expect(first?.attemptLog[0]?.requestHeaders['webhook-signature']).toMatch(/^v1,/);
    expect(JSON.stringify(log)).not.toContain(endpoint.secret.slice('whsec_'.length));
    const rest = pageOf(webhookDeliverySchema).parse(await (await admin.api(`/api/v1/webhooks/${endpoint.id}/deliveries?cursor=${encodeURIComponent(log.nextCursor ?? '')}`)).json());
    expect(rest.items).toHaveLength(1);
    expect(rest.nextCursor).toBeNull();

    // Replay: the same webhook-id again, freshly signed.
    const replayed = await admin.api(`/api/v1/webhook-deliveries/${first?.id}/replay`, { method: 'POST' });
    expect(replayed.status).toBe(202);
    await waitFor('the replay', () => receiver.received.filter((r) => r.webhookHeaders['webhook-id'] === first?.id).length === 2);
    const again = receiver.received.filter((r) => r.webhookHeaders['webhook-id'] === first?.id);
    expect(again[1]?.body).toBe(again[0]?.body);
    expect(() => verifier.verify(again[1]?.body ?? '', again[1]?.webhookHeaders ?? {})).not.toThrow();
  });

  it('refuses URLs the SSRF guard forbids, at create and update', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://[::1]:8080/', 'http://10.0.0.7/', 'ftp://example.com/', 'http://user:pw@example.com/']) {
      const answer = await admin.api(base(), json({ url }));
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ error: { code: 'url_not_allowed' } });
    }
  });

  it('sends a test message and reports the answer; rotate-secret returns a new secret and signs with both', async () => {
    const endpoint = webhookEndpointWithSecretSchema.parse(await (await admin.api(base(), json({ url: `${receiver.url}/hooks/t` }))).json());
    receiver.respond = (request) => (request.path === '/hooks/t' ? { status: 503, body: 'down for maintenance' } : { status: 200 });
    const failed = (await (await admin.api(`/api/v1/webhooks/${endpoint.id}/test`, { method: 'POST' })).json()) as { ok: boolean; responseStatus: number };
    expect(failed).toMatchObject({ ok: false, responseStatus: 503 });
    receiver.respond = () => ({ status: 204 });
    const passed = (await (await admin.api(`/api/v1/webhooks/${endpoint.id}/test`, { method: 'POST' })).json()) as { ok: boolean };
    expect(passed.ok).toBe(true);
    const test = receiver.received.filter((r) => r.path === '/hooks/t').at(-1);
    expect(JSON.parse(test?.body ?? '{}')).toMatchObject({ type: 'webhook.test' });

    const rotated = webhookEndpointWithSecretSchema.parse(await (await admin.api(`/api/v1/webhooks/${endpoint.id}/rotate-secret`, { method: 'POST' })).json());
    expect(rotated.secret).not.toBe(endpoint.secret);
    await admin.api(`/api/v1/webhooks/${endpoint.id}/test`, { method: 'POST' });
    const signed = receiver.received.filter((r) => r.path === '/hooks/t').at(-1);
    expect(signed?.webhookHeaders['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(() => new Webhook(rotated.secret).verify(signed?.body ?? '', signed?.webhookHeaders ?? {})).not.toThrow();
    expect(() => new Webhook(endpoint.secret).verify(signed?.body ?? '', signed?.webhookHeaders ?? {})).not.toThrow();
  });

  it('updates and deletes endpoints; members who are not admins get 403, strangers 404', async () => {
    const endpoint = webhookEndpointWithSecretSchema.parse(await (await admin.api(base(), json({ url: `${receiver.url}/hooks/u` }))).json());
    const patched = await admin.api(`${base()}/${endpoint.id}`, { ...json({ enabled: false, description: 'paused' }), method: 'PATCH' });
    expect(webhookEndpointSchema.parse(await patched.json())).toMatchObject({ enabled: false, description: 'paused' });

    const member = await server.newUser();
    await server.ctx.db.insertInto('members').values({ workspace_id: admin.workspace.id, user_id: member.user.id, role: 'member', added_at: new Date().toISOString() }).execute();
    expect((await member.api(base())).status).toBe(403);
    expect((await member.api(`/api/v1/webhooks/${endpoint.id}/rotate-secret`, { method: 'POST' })).status).toBe(403);
    const stranger = await server.newUser();
    expect((await stranger.api(`/api/v1/webhooks/${endpoint.id}/deliveries`)).status).toBe(404);
    expect((await stranger.api(`${base()}/${endpoint.id}`)).status).toBe(404);

    expect((await admin.api(`${base()}/${endpoint.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await admin.api(`${base()}/${endpoint.id}`)).status).toBe(404);

    const audit = await server.ctx.db.selectFrom('audit').select(['action', 'details']).where('workspace_id', '=', admin.workspace.id).where('action', 'like', 'webhook.%').execute();
    const actions = audit.map((row) => row.action);
    for (const action of ['webhook.created', 'webhook.updated', 'webhook.deleted', 'webhook.secret_rotated', 'webhook.tested', 'webhook.replayed']) expect(actions).toContain(action);
    expect(audit.map((row) => row.details ?? '').join(' ')).not.toMatch(/whsec_/);
  });

  it('REST hooks: subscribe delivers one event type to target_url, unsubscribe stops it', async () => {
    const subscribed = await admin.api('/api/v1/hooks', json({ target_url: `${receiver.url}/zap`, event: 'share.created' }));
    expect(subscribed.status).toBe(201);
    const { id } = (await subscribed.json()) as { id: string };
    await appendTestEvents(server.ctx, admin.workspace.id, 1, 'file.created');
    await appendTestEvents(server.ctx, admin.workspace.id, 1, 'share.created');
    await waitFor('the REST-hook delivery', () => receiver.received.some((r) => r.path === '/zap'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const zaps = receiver.received.filter((r) => r.path === '/zap');
    expect(zaps.map((r) => (JSON.parse(r.body) as { type: string }).type)).toEqual(['share.created']);

    expect((await admin.api(`/api/v1/hooks/${id}`, { method: 'DELETE' })).status).toBe(200);
    await appendTestEvents(server.ctx, admin.workspace.id, 1, 'share.created');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.received.filter((r) => r.path === '/zap')).toHaveLength(1);
    expect((await admin.api(`/api/v1/hooks/${id}`, { method: 'DELETE' })).status).toBe(404);
  });
});
