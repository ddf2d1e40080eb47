/**
 * @module marketplace/marketplace.routes.test
 * The marketplace over real HTTP with the shipped catalog: search and filter,
 * install with consent, configure with field errors, disable/enable, upgrade
 * that asks again for added scopes, remove revoking the webhook endpoints
 * and deleting the integration's jobs;
 * members read but every write answers 403; the audit log has each change.
 */
import { catalogPageSchema, errorBodySchema, integrationInstallSchema, pageOf, auditEntrySchema, removedIntegrationSchema } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../testing/index.js';
import { heldRunAt } from './integration-state.js';

const send = (method: string, body?: unknown): RequestInit => ({ method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body) });

async function errorOf(response: Response) {
  return errorBodySchema.parse(await response.json()).error;
}

describe('marketplace routes', () => {
  let server: TestServer;
  let admin: TestUser;
  let member: TestUser;
  const installs = () => `/api/v1/workspaces/${admin.workspace.id}/integrations`;

  beforeAll(async () => {
    server = await startTestServer({ outboundAllowList: ['127.0.0.1'], webhookWorker: false });
    admin = await server.newUser();
    member = await server.newUser();
    const added = await admin.api(`/api/v1/workspaces/${admin.workspace.id}/members`, send('POST', { email: member.user.email, role: 'member' }));
    expect(added.status).toBe(201);
  });

  afterAll(async () => {
    await server.close();
  });

  it('lists, searches and filters the catalog for any signed-in user', async () => {
    const all = catalogPageSchema.parse(await (await member.api('/api/v1/marketplace/integrations')).json());
    expect(all.items.map((item) => item.id)).toEqual(['dropbox', 'google-drive', 'outlook', 'slack', 'webhooks', 'zapier']);
    expect(all.categories).toEqual(['automation', 'communication', 'developer', 'storage']);
    const storage = catalogPageSchema.parse(await (await member.api('/api/v1/marketplace/integrations?category=storage')).json());
    expect(storage.items.map((item) => item.name)).toEqual(['Dropbox', 'Google Drive']);
    const searched = catalogPageSchema.parse(await (await member.api('/api/v1/marketplace/integrations?q=slash%20command')).json());
    expect(searched.items.map((item) => item.id)).toEqual(['slack']);
    const one = await member.api('/api/v1/marketplace/integrations/webhooks?version=1.0.0');
    expect(await one.json()).toMatchObject({ id: 'webhooks', version: '1.0.0', versions: ['1.1.0', '1.0.0'], compatible: true });
    const missing = await member.api('/api/v1/marketplace/integrations/teams');
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('integration_not_found');
  });

  it('installs only with consent to exactly the scopes, once', async () => {
    const noConsent = await admin.api(installs(), send('POST', { integrationId: 'webhooks', version: '1.0.0', consentedScopes: [] }));
    expect(noConsent.status).toBe(409);
    const error = await errorOf(noConsent);
    expect(error.code).toBe('consent_required');
    expect(error.details).toMatchObject({ scopes: ['webhooks:manage'], missing: ['webhooks:manage'] });

    const installed = await admin.api(installs(), send('POST', { integrationId: 'webhooks', version: '1.0.0', consentedScopes: ['webhooks:manage'] }));
    expect(installed.status).toBe(201);
    const install = integrationInstallSchema.parse(await installed.json());
    expect(install).toMatchObject({ integrationId: 'webhooks', version: '1.0.0', enabled: true, scopes: ['webhooks:manage'], settings: { maxPerMinute: 120 } });
    expect(install.upgrade).toMatchObject({ version: '1.1.0', addedScopes: [{ id: 'files:read' }] });

    const again = await admin.api(installs(), send('POST', { integrationId: 'webhooks', consentedScopes: ['webhooks:manage', 'files:read'] }));
    expect((await errorOf(again)).code).toBe('already_installed');
  });

  it('configures through the settings schema, with field-level errors', async () => {
    const bad = await admin.api(`${installs()}/webhooks/settings`, send('PUT', { settings: { maxPerMinute: 5000, defaultEvents: ['file.exploded'] } }));
    expect(bad.status).toBe(400);
    const error = await errorOf(bad);
    expect(error.code).toBe('validation_failed');
    expect(error.details).toEqual({
      issues: [
        { path: ['defaultEvents'], message: expect.stringContaining('"file.exploded"') },
        { path: ['maxPerMinute'], message: 'Most deliveries per minute must be at most 1000' },
      ],
    });
    const good = await admin.api(`${installs()}/webhooks/settings`, send('PUT', { settings: { maxPerMinute: 30 } }));
    expect(good.status).toBe(200);
    expect(integrationInstallSchema.parse(await good.json()).settings).toEqual({ maxPerMinute: 30, defaultEvents: ['file.created', 'file.updated'] });
  });

  it('disables and enables', async () => {
    const disabled = integrationInstallSchema.parse(await (await admin.api(`${installs()}/webhooks`, send('PATCH', { enabled: false }))).json());
    expect(disabled.enabled).toBe(false);
    const listed = (await (await member.api(installs())).json()) as { items: { enabled: boolean }[] };
    expect(listed.items).toMatchObject([{ enabled: false }]);
    const enabled = integrationInstallSchema.parse(await (await admin.api(`${installs()}/webhooks`, send('PATCH', { enabled: true }))).json());
    expect(enabled.enabled).toBe(true);
  });

  it('refuses every write to a member (403) but lets them read', async () => {
    const writes: [string, RequestInit][] = [
      [installs(), send('POST', { integrationId: 'slack', consentedScopes: [] })],
      [`${installs()}/webhooks/settings`, send('PUT', { settings: {} })],
      [`${installs()}/webhooks`, send('PATCH', { enabled: false })],
      [`${installs()}/webhooks/upgrade`, send('POST', { consentedScopes: ['webhooks:manage', 'files:read'] })],
      [`${installs()}/webhooks`, send('DELETE')],
    ];
    for (const [path, init] of writes) {
      const response = await member.api(path, init);
      expect(response.status, `${init.method} ${path}`).toBe(403);
      expect((await errorOf(response)).code).toBe('forbidden');
    }
    expect((await member.api(`${installs()}/webhooks`)).status).toBe(200);
    const stranger = await server.newUser();
    expect((await stranger.api(installs())).status).toBe(404);
  });

  it('asks again for consent when an upgrade adds scopes, and keeps the settings', async () => {
    const refused = await admin.api(`${installs()}/webhooks/upgrade`, send('POST', {}));
    expect(refused.status).toBe(409);
    const error = await errorOf(refused);
    expect(error.code).toBe('consent_required');
    expect(error.details).toMatchObject({ addedScopes: ['files:read'] });

    const upgraded = await admin.api(`${installs()}/webhooks/upgrade`, send('POST', { consentedScopes: ['webhooks:manage', 'files:read'] }));
    expect(upgraded.status).toBe(200);
    const install = integrationInstallSchema.parse(await upgraded.json());
    expect(install).toMatchObject({ version: '1.1.0', scopes: ['webhooks:manage', 'files:read'], upgrade: null, settings: { maxPerMinute: 30 } });
    const none = await admin.api(`${installs()}/webhooks/upgrade`, send('POST', {}));
    expect((await errorOf(none)).code).toBe('conflict');
  });

  it('removes an integration, deleting the webhook endpoints it manages', async () => {
    const endpoint = await admin.api(`/api/v1/workspaces/${admin.workspace.id}/webhooks`, send('POST', { url: 'http://127.0.0.1:9/hook' }));
    expect(endpoint.status).toBe(201);
    const removed = await admin.api(`${installs()}/webhooks`, send('DELETE'));
    expect(removed.status).toBe(200);
    expect(removedIntegrationSchema.parse(await removed.json()).revoked).toEqual({ webhookEndpoints: 1, connections: 0, jobs: 0, syncPairs: 0, oauthTokens: 0 });
    const left = (await (await admin.api(`/api/v1/workspaces/${admin.workspace.id}/webhooks`)).json()) as { items: unknown[] };
    expect(left.items).toEqual([]);
    expect((await admin.api(`${installs()}/webhooks`)).status).toBe(404);

    const audit = pageOf(auditEntrySchema).parse(await (await admin.api(`/api/v1/workspaces/${admin.workspace.id}/audit?limit=100`)).json());
    const actions = audit.items.filter((entry) => entry.target === 'webhooks').map((entry) => entry.action).reverse();
    expect(actions).toEqual(['integration.installed', 'integration.configured', 'integration.disabled', 'integration.enabled', 'integration.upgraded', 'integration.removed']);
    const configured = audit.items.find((entry) => entry.action === 'integration.configured');
    expect(configured?.details).toEqual({ version: '1.0.0', changed: ['maxPerMinute'] });
    expect(audit.items.some((entry) => entry.action === 'webhook.deleted')).toBe(true);
  });

  it("holds the integration's pending jobs while disabled and deletes them on removal (connections and sync pairs: marketplace.providers.test)", async () => {
    const slackScopes = ['files:read', 'files:write', 'shares:write', 'slack:chat.write', 'slack:commands', 'slack:files.read'];
    const installed = await admin.api(installs(), send('POST', { integrationId: 'slack', consentedScopes: slackScopes, settings: { channel: '#files' } }));
    expect(installed.status).toBe(201);
    const now = new Date().toISOString();
    const job = { kind: 'slack.notify', status: 'pending' as const, run_at: now, attempts: 0, lease_owner: null, lease_expires_at: null, last_error: null, created_at: now, done_at: null };
    await server.ctx.db
      .insertInto('jobs')
      .values([
        { ...job, id: 'job_slack', payload: JSON.stringify({ integration: 'slack', workspaceId: admin.workspace.id }) },
        { ...job, id: 'job_other_workspace', payload: JSON.stringify({ integration: 'slack', workspaceId: member.workspace.id }) },
      ])
      .execute();

    // Disabled, the integration's jobs are held (due never); enabled, they are due at once again. Other workspaces' jobs are untouched.
    const runAt = async (id: string) => (await server.ctx.db.selectFrom('jobs').select('run_at').where('id', '=', id).executeTakeFirstOrThrow()).run_at;
    expect((await admin.api(`${installs()}/slack`, send('PATCH', { enabled: false }))).status).toBe(200);
    expect(await runAt('job_slack')).toBe(heldRunAt);
    expect(await runAt('job_other_workspace')).toBe(now);
    expect((await admin.api(`${installs()}/slack`, send('PATCH', { enabled: true }))).status).toBe(200);
    expect(Date.parse(await runAt('job_slack'))).toBeLessThanOrEqual(Date.now());

    const removed = removedIntegrationSchema.parse(await (await admin.api(`${installs()}/slack`, send('DELETE'))).json());
    expect(removed.revoked).toEqual({ webhookEndpoints: 0, connections: 0, jobs: 1, syncPairs: 0, oauthTokens: 0 });
    const left = await server.ctx.db.selectFrom('jobs').select('id').where('id', 'in', ['job_slack', 'job_other_workspace']).execute();
    expect(left).toEqual([{ id: 'job_other_workspace' }]);
  });
});
