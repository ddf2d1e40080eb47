/**
 * @module marketplace/integration-audit.test
 * Every kind of integration change lands in the audit log, each checked over
 * real HTTP against a server whose Google Drive points at the emulator:
 * connect and disconnect (through the provider's sign-in), install, settings
 * change, disable/enable and upgrade, webhook endpoint create/change/rotate/
 * delete, REST hook subscribe/unsubscribe, and API calls made with an
 * integration's OAuth token.
 */
import { auditEntrySchema, pageOf, type AuditEntry } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startConnectionHarness, type ConnectionHarness } from '../connections/connection-test-harness.js';
import { bearer, obtainTokens, signIn, type RegisteredClient } from '../oauth/oauth-test-harness.js';

let harness: ConnectionHarness;
let ownerId = '';

beforeAll(async () => {
  harness = await startConnectionHarness();
  // Connecting Google Drive needs its integration installed in the workspace.
  await harness.install('google-drive');
  const owner = await harness.server.ctx.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
  ownerId = owner.id;
});

afterAll(async () => {
  await harness.close();
});

const workspacePath = () => `/api/v1/workspaces/${harness.workspaceId}`;
const body = (method: string, value: unknown): RequestInit => ({ method, body: JSON.stringify(value) });

async function auditSince(count: number): Promise<AuditEntry[]> {
  const page = pageOf(auditEntrySchema).parse(await (await harness.api(`${workspacePath()}/audit?limit=200`)).json());
  // Newest first in the API; oldest first here.
  return page.items.slice(0, page.items.length - count).reverse();
}

async function auditCount(): Promise<number> {
  return pageOf(auditEntrySchema).parse(await (await harness.api(`${workspacePath()}/audit?limit=200`)).json()).items.length;
}

async function expectOk(response: Response, status = 200): Promise<unknown> {
  const answer: unknown = await response.json();
  expect(response.status, JSON.stringify(answer)).toBe(status);
  return answer;
}

describe('the audit log of integrations', () => {
  it('records a connect and a disconnect, by whom and for which provider', async () => {
    const before = await auditCount();
    const { connectionId } = await harness.connect('google-drive');
    await expectOk(await harness.api(`${workspacePath()}/connections/${connectionId}`, { method: 'DELETE' }));
    const entries = await auditSince(before);
    expect(entries.map((entry) => entry.action)).toEqual(['connection.connected', 'connection.disconnected']);
    expect(entries[0]).toMatchObject({ actorId: ownerId, target: connectionId, details: { provider: 'google-drive' } });
    expect(entries[1]).toMatchObject({ actorId: ownerId, target: connectionId, details: { provider: 'google-drive', revokedAtProvider: true } });
  });

  it('records install, settings change (names, not values), disable, enable and upgrade', async () => {
    const before = await auditCount();
    const installs = `${workspacePath()}/integrations`;
    await expectOk(await harness.api(installs, body('POST', { integrationId: 'webhooks', version: '1.0.0', consentedScopes: ['webhooks:manage'] })), 201);
    await expectOk(await harness.api(`${installs}/webhooks/settings`, body('PUT', { settings: { maxPerMinute: 30 } })));
    await expectOk(await harness.api(`${installs}/webhooks`, body('PATCH', { enabled: false })));
    await expectOk(await harness.api(`${installs}/webhooks`, body('PATCH', { enabled: true })));
    await expectOk(await harness.api(`${installs}/webhooks/upgrade`, body('POST', { consentedScopes: ['webhooks:manage', 'files:read'] })));
    const entries = await auditSince(before);
    expect(entries.map((entry) => [entry.action, entry.target])).toEqual([
      ['integration.installed', 'webhooks'],
      ['integration.configured', 'webhooks'],
      ['integration.disabled', 'webhooks'],
      ['integration.enabled', 'webhooks'],
      ['integration.upgraded', 'webhooks'],
    ]);
    expect(entries[0]?.details).toEqual({ version: '1.0.0', scopes: ['webhooks:manage'] });
    expect(entries[1]?.details).toEqual({ version: '1.0.0', changed: ['maxPerMinute'] });
    expect(entries[4]?.details).toEqual({ from: '1.0.0', to: '1.1.0', addedScopes: ['files:read'], removedScopes: [] });
  });

  it('records every webhook change: create, change, secret rotation, delete', async () => {
    const before = await auditCount();
    const created = z.object({ id: z.string() }).parse(await expectOk(await harness.api(`${workspacePath()}/webhooks`, body('POST', { url: 'http://127.0.0.1:9/hook' })), 201));
    await expectOk(await harness.api(`${workspacePath()}/webhooks/${created.id}`, body('PATCH', { description: 'renamed' })));
    await expectOk(await harness.api(`/api/v1/webhooks/${created.id}/rotate-secret`, { method: 'POST', body: '{}' }));
    await expectOk(await harness.api(`${workspacePath()}/webhooks/${created.id}`, { method: 'DELETE' }));
    const entries = await auditSince(before);
    expect(entries.map((entry) => [entry.action, entry.target])).toEqual([
      ['webhook.created', created.id],
      ['webhook.updated', created.id],
      ['webhook.secret_rotated', created.id],
      ['webhook.deleted', created.id],
    ]);
    expect(entries[1]?.details).toEqual({ description: 'renamed' });
  });

  it("records an integration's token use and its REST hook subscribe and unsubscribe", async () => {
    const installs = `${workspacePath()}/integrations`;
    await expectOk(await harness.api(installs, body('POST', { integrationId: 'zapier', consentedScopes: ['files:read', 'files:write', 'shares:write', 'webhooks:manage'] })), 201);
    const client = (await expectOk(
      await harness.api(`${workspacePath()}/oauth-clients`, body('POST', { name: 'Zapier', type: 'confidential', redirectUris: ['https://zapier.example.test/cb'], scopes: ['files:read', 'webhooks:manage'], integrationId: 'zapier' })),
      201,
    )) as RegisteredClient;
    const cookie = await signIn(harness.server, ownerId);
    const tokens = await obtainTokens(harness.server, client, cookie, 'files:read webhooks:manage', harness.workspaceId);

    const before = await auditCount();
    const hook = z.object({ id: z.string() }).parse(await expectOk(await bearer(harness.server, tokens.access_token, '/api/v1/hooks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target_url: 'http://127.0.0.1:9/zap', event: 'file.created', workspace: harness.workspaceId }) }), 201));
    await expectOk(await bearer(harness.server, tokens.access_token, workspacePath()));
    await expectOk(await bearer(harness.server, tokens.access_token, `/api/v1/hooks/${hook.id}`, { method: 'DELETE' }));
    const entries = await auditSince(before);
    expect(entries.map((entry) => entry.action)).toEqual(['webhook.hook_subscribed', 'integration.token_used', 'integration.token_used', 'webhook.hook_unsubscribed', 'integration.token_used']);
    const uses = entries.filter((entry) => entry.action === 'integration.token_used');
    expect(uses.map((entry) => entry.details)).toEqual([
      { clientId: client.id, method: 'POST', route: 'subscribeRestHook', status: 201 },
      { clientId: client.id, method: 'GET', route: 'getWorkspace', status: 200 },
      { clientId: client.id, method: 'DELETE', route: 'unsubscribeRestHook', status: 200 },
    ]);
    expect(uses.every((entry) => entry.actorId === ownerId && entry.target === 'zapier')).toBe(true);
  });
});
