/**
 * @module marketplace/marketplace.gate-refresh.test
 * While an integration is disabled in a workspace, no token of it is
 * refreshed — over real HTTP, counting the token endpoint's calls where they
 * arrive:
 * - a Google Drive connection whose token is due for refresh: the Check
 *   button, a sync pair's run and the driver's token source are refused with
 *   403 integration_disabled naming Google Drive and the marketplace, and the
 *   Drive emulator's token endpoint receives nothing; after enable the next
 *   use refreshes (one call) and works;
 * - Ferry's own authorization server: Zapier's refresh token is refused
 *   (unauthorized_client, the token is not spent, the refusal is audited)
 *   while Zapier is disabled, and the same refresh token works after enable.
 */
import { auditEntrySchema, errorBodySchema, pageOf, syncPairSchema } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startConnectionHarness, type ConnectionHarness } from '../connections/connection-test-harness.js';
import { connectionTokenProvider } from '../connections/token-refresher.js';
import { bearer, obtainTokens, signIn, tokenRequest, type RegisteredClient } from '../oauth/oauth-test-harness.js';
import { SyncPairWorker } from '../sync-pairs/sync-pair-worker.js';
import { installForTest } from '../testing/install-integration.js';

let harness: ConnectionHarness;
let worker: SyncPairWorker;
const noSleep = () => Promise.resolve();
const disabledMessage = 'The Google Drive integration is disabled in this workspace; an admin can enable it in the marketplace.';

beforeAll(async () => {
  harness = await startConnectionHarness({ syncPairWorker: false });
  await harness.install('google-drive');
  worker = new SyncPairWorker(harness.server.ctx, { selfUrl: harness.server.url, policy: { random: () => 0.5, driverRetry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, sleep: noSleep } } });
});

afterAll(async () => {
  await worker.stop();
  await harness.close();
});

const workspacePath = () => `/api/v1/workspaces/${harness.workspaceId}`;
const setEnabled = async (integrationId: string, enabled: boolean) => {
  const answer = await harness.api(`${workspacePath()}/integrations/${integrationId}`, { method: 'PATCH', body: JSON.stringify({ enabled }) });
  expect(answer.status).toBe(200);
};
const tokenCalls = () => harness.google.requests.count({ method: 'POST', pathPrefix: '/token' });

async function expectRefused(response: Response, code: string, message: string): Promise<void> {
  const body = errorBodySchema.parse(await response.json());
  expect(response.status).toBe(403);
  expect(body.error).toMatchObject({ code, message });
}

describe('a disabled integration refreshes no token', () => {
  it('Google Drive: nothing reaches the token endpoint while disabled; after enable one refresh and it works', async () => {
    const { connectionId } = await harness.connect('google-drive');
    const workspace = z.object({ rootFolderId: z.string() }).parse(await (await harness.api(workspacePath())).json());
    const folder = z.object({ id: z.string() }).parse(await (await harness.api(`/api/v1/nodes/${workspace.rootFolderId}/folders`, { method: 'POST', body: JSON.stringify({ name: 'Gated' }) })).json());
    const pair = syncPairSchema.parse(
      await (await harness.api(`${workspacePath()}/sync-pairs`, { method: 'POST', body: JSON.stringify({ folderId: folder.id, connectionId, remotePath: '/Gated', intervalSeconds: 300 }) })).json(),
    );
    await worker.runDue();
    // The access token is due for refresh (expires within the 60 s skew).
    await harness.server.ctx.db.updateTable('connections').set({ access_token_expires_at: new Date(Date.now() + 10_000).toISOString() }).where('id', '=', connectionId).execute();
    const before = tokenCalls();

    await setEnabled('google-drive', false);
    await expectRefused(await harness.api(`${workspacePath()}/connections/${connectionId}/check`, { method: 'POST' }), 'integration_disabled', disabledMessage);
    await expectRefused(await harness.api(`${workspacePath()}/sync-pairs/${pair.id}/run`, { method: 'POST' }), 'integration_disabled', disabledMessage);
    // What a sync driver calls in the background is refused the same way.
    await expect(connectionTokenProvider(harness.server.ctx, connectionId)({ forceRefresh: true })).rejects.toMatchObject({ code: 'integration_disabled', message: disabledMessage });
    expect(tokenCalls()).toBe(before);
    const stored = await harness.server.ctx.db.selectFrom('connections').select(['status', 'refresh_failures']).where('id', '=', connectionId).executeTakeFirstOrThrow();
    expect(stored).toEqual({ status: 'active', refresh_failures: 0 });

    await setEnabled('google-drive', true);
    const checked = await harness.api(`${workspacePath()}/connections/${connectionId}/check`, { method: 'POST' });
    expect(checked.status).toBe(200);
    expect(tokenCalls()).toBe(before + 1);
    await worker.runDue();
    const resumed = syncPairSchema.parse(await (await harness.api(`${workspacePath()}/sync-pairs/${pair.id}`)).json());
    expect(resumed).toMatchObject({ status: 'idle', lastRun: { ok: true } });
  });

  it("Ferry's authorization server: Zapier's refresh token is refused while Zapier is disabled, not spent, and works after enable", async () => {
    const admin = await harness.server.newUser();
    await installForTest(admin.api, admin.workspace.id, 'zapier');
    const registered = await admin.api(`/api/v1/workspaces/${admin.workspace.id}/oauth-clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Zapier', type: 'confidential', redirectUris: ['https://zapier.example.test/callback'], scopes: ['files:read', 'offline_access'], integrationId: 'zapier' }),
    });
    expect(registered.status).toBe(201);
    const client = (await registered.json()) as RegisteredClient;
    const cookie = await signIn(harness.server, admin.user.id);
    const tokens = await obtainTokens(harness.server, client, cookie, 'files:read offline_access', admin.workspace.id);
    const refresh = () => tokenRequest(harness.server, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' });
    const installs = `/api/v1/workspaces/${admin.workspace.id}/integrations`;

    expect((await admin.api(`${installs}/zapier`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ enabled: false }) })).status).toBe(200);
    const refused = await refresh();
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: 'unauthorized_client', error_description: 'The Zapier integration is disabled in this workspace; an admin can enable it in the marketplace.' });
    // Its access token is refused by the API too, and introspection calls it inactive.
    expect((await bearer(harness.server, tokens.access_token, `/api/v1/workspaces/${admin.workspace.id}`)).status).toBe(403);
    const introspect = () => tokenRequest(harness.server, client, { token: tokens.access_token }, '/oauth/introspect');
    expect(await (await introspect()).json()).toEqual({ active: false });
    const audit = pageOf(auditEntrySchema).parse(await (await admin.api(`/api/v1/workspaces/${admin.workspace.id}/audit?limit=100`)).json());
    expect(audit.items.find((entry) => entry.action === 'oauth.token_refused')).toMatchObject({
      actorId: admin.user.id,
      target: client.id,
      details: { grant: 'refresh_token', integrationId: 'zapier', reason: 'integration_disabled' },
    });
    const family = await harness.server.ctx.db.selectFrom('oauth_tokens').select(['kind', 'rotated_at', 'revoked_at']).where('client_id', '=', client.id).where('kind', '=', 'refresh').execute();
    expect(family).toEqual([{ kind: 'refresh', rotated_at: null, revoked_at: null }]);

    expect((await admin.api(`${installs}/zapier`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ enabled: true }) })).status).toBe(200);
    const renewed = await refresh();
    expect(renewed.status).toBe(200);
    const fresh = z.object({ access_token: z.string(), refresh_token: z.string() }).parse(await renewed.json());
    expect(fresh.refresh_token).not.toBe(tokens.refresh_token);
    expect((await bearer(harness.server, fresh.access_token, `/api/v1/workspaces/${admin.workspace.id}`)).status).toBe(200);
    expect(await (await introspect()).json()).toMatchObject({ active: true, client_id: client.id });
  });
});
