/**
 * @module marketplace/marketplace.gate-installed.test
 * An integration is usable in a workspace only while it is installed there
 * (and enabled), over real HTTP against the Drive emulator and a receiver on
 * 127.0.0.1:
 * - before Google Drive, Webhooks or Zapier is installed, connecting a Drive
 *   account, creating a webhook endpoint, subscribing a REST hook and
 *   authorizing an OAuth client of Zapier are refused with 403
 *   `integration_not_enabled` naming the integration and saying to install it;
 *   after the install each works;
 * - what was left from before the rule (a pair, a connection, an endpoint in
 *   a workspace without the install row) does nothing in the background: the
 *   pair runner stops the pair without calling Drive, the connection's token
 *   is not refreshed, the fan-out makes no delivery; installing resumes them
 *   (the pair runs, the endpoint gets every event it waited for);
 * - the refusals the server makes by itself are audited (`sync_pair.stopped`,
 *   `oauth.authorization_refused`).
 */
import { auditEntrySchema, errorBodySchema, pageOf, syncPairSchema, webhookEndpointSchema, type AuditEntry } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startConnectionHarness, type ConnectionHarness } from '../connections/connection-test-harness.js';
import { getAccessToken } from '../connections/token-refresher.js';
import { authorizePath, csrfTokenOf, getAuthorize, newPkce, postDecision, signIn, type RegisteredClient } from '../oauth/oauth-test-harness.js';
import { SyncPairWorker } from '../sync-pairs/sync-pair-worker.js';
import { fanOutAll } from '../webhooks/fan-out.js';
import { appendTestEvents, startReceiver, type TestReceiver } from '../webhooks/test-receiver.js';

let harness: ConnectionHarness;
let worker: SyncPairWorker;
let receiver: TestReceiver;
const noSleep = () => Promise.resolve();

beforeAll(async () => {
  harness = await startConnectionHarness({ syncPairWorker: false });
  worker = new SyncPairWorker(harness.server.ctx, { selfUrl: harness.server.url, policy: { random: () => 0.5, driverRetry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, sleep: noSleep } } });
  receiver = await startReceiver();
});

afterAll(async () => {
  await worker.stop();
  await harness.close();
  await receiver.close();
});

const workspacePath = () => `/api/v1/workspaces/${harness.workspaceId}`;
const post = (path: string, body: unknown) => harness.api(path, { method: 'POST', body: JSON.stringify(body) });

async function expectNotInstalled(response: Response, name: string): Promise<void> {
  const body = errorBodySchema.parse(await response.json());
  expect(response.status, JSON.stringify(body)).toBe(403);
  expect(body.error).toMatchObject({ code: 'integration_not_enabled', message: `The ${name} integration is not installed in this workspace; an admin must install ${name} from the marketplace first.` });
}

async function auditOf(action: string): Promise<AuditEntry[]> {
  const page = pageOf(auditEntrySchema).parse(await (await harness.api(`${workspacePath()}/audit?limit=200`)).json());
  return page.items.filter((entry) => entry.action === action);
}

/** What a workspace from before the install rule looks like: the use stays, the install row is gone. */
async function forgetInstall(integrationId: string): Promise<void> {
  await harness.server.ctx.db.deleteFrom('marketplace_installs').where('workspace_id', '=', harness.workspaceId).where('integration_id', '=', integrationId).execute();
}

describe('an integration that is not installed', () => {
  it('refuses every entry point with the integration named, and works once installed', async () => {
    await expectNotInstalled(await post(`${workspacePath()}/connections/google-drive/start`, {}), 'Google Drive');
    await expectNotInstalled(await post(`${workspacePath()}/webhooks`, { url: `${receiver.url}/hook` }), 'Webhooks');
    await expectNotInstalled(await post('/api/v1/hooks', { target_url: `${receiver.url}/zap`, event: 'file.created', workspace: harness.workspaceId }), 'Zapier');

    // An OAuth client of Zapier gets no authorization code for the workspace.
    const registered = await post(`${workspacePath()}/oauth-clients`, { name: 'Zapier', type: 'confidential', redirectUris: ['https://zapier.example.test/callback'], scopes: ['files:read'], integrationId: 'zapier' });
    expect(registered.status).toBe(201);
    const client = (await registered.json()) as RegisteredClient;
    const owner = await harness.server.ctx.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
    const cookie = await signIn(harness.server, owner.id);
    const { challenge } = newPkce();
    const consent = await getAuthorize(harness.server, authorizePath({ response_type: 'code', client_id: client.id, redirect_uri: client.redirectUris[0], scope: 'files:read', state: 's1', code_challenge: challenge, code_challenge_method: 'S256' }), cookie);
    expect(consent.status).toBe(200);
    const decided = await postDecision(harness.server, cookie, { csrf_token: csrfTokenOf(await consent.text()), decision: 'allow', workspace_id: harness.workspaceId });
    expect(decided.status).toBe(403);
    expect(decided.headers.get('location')).toBeNull();
    expect(await decided.text()).toContain('The Zapier integration is not installed in this workspace; an admin must install Zapier from the marketplace first.');
    expect((await auditOf('oauth.authorization_refused'))[0]).toMatchObject({ actorId: owner.id, target: client.id, details: { grant: 'authorize', integrationId: 'zapier', reason: 'integration_not_enabled' } });

    await harness.install('google-drive');
    await harness.install('webhooks');
    await harness.install('zapier');
    const { connectionId } = await harness.connect('google-drive');
    expect(connectionId).not.toBe('');
    expect((await post(`${workspacePath()}/webhooks`, { url: `${receiver.url}/hook` })).status).toBe(201);
    expect((await post('/api/v1/hooks', { target_url: `${receiver.url}/zap`, event: 'file.created', workspace: harness.workspaceId })).status).toBe(201);
  });

  it('stops what was left in the background (pair runs, token refresh, webhook fan-out) until it is installed', async () => {
    const { connectionId } = await harness.connect('google-drive');
    const workspace = z.object({ rootFolderId: z.string() }).parse(await (await harness.api(workspacePath())).json());
    const folder = z.object({ id: z.string() }).parse(await (await post(`/api/v1/nodes/${workspace.rootFolderId}/folders`, { name: 'Left over' })).json());
    const pair = syncPairSchema.parse(await (await post(`${workspacePath()}/sync-pairs`, { folderId: folder.id, connectionId, remotePath: '/Left over', intervalSeconds: 300 })).json());
    const endpoint = webhookEndpointSchema.parse(await (await post(`${workspacePath()}/webhooks`, { url: `${receiver.url}/left-over` })).json());
    await fanOutAll(harness.server.ctx.db, harness.server.ctx.clock);
    const deliveries = async () => (await harness.server.ctx.db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', endpoint.id).execute()).length;
    const delivered = await deliveries();

    await forgetInstall('google-drive');
    await forgetInstall('webhooks');
    // Due for refresh: refused without a call to the token endpoint.
    await harness.server.ctx.db.updateTable('connections').set({ access_token_expires_at: new Date(Date.now() + 10_000).toISOString() }).where('id', '=', connectionId).execute();
    const tokenCalls = harness.google.requests.count({ pathPrefix: '/token' });
    await expect(getAccessToken(harness.server.ctx, connectionId)).rejects.toMatchObject({ code: 'integration_not_enabled' });
    expect(harness.google.requests.count({ pathPrefix: '/token' })).toBe(tokenCalls);

    // The pair's scheduled run stops it without a call to Drive, and says why.
    const driveCalls = harness.google.requests.count({ pathPrefix: '/drive/' });
    await worker.runDue();
    expect(harness.google.requests.count({ pathPrefix: '/drive/' })).toBe(driveCalls);
    const stopped = syncPairSchema.parse(await (await harness.api(`${workspacePath()}/sync-pairs/${pair.id}`)).json());
    expect(stopped).toMatchObject({ status: 'paused', paused: false, nextRunAt: null, lastError: { code: 'integration_not_enabled' } });
    await expectNotInstalled(await post(`${workspacePath()}/sync-pairs/${pair.id}/run`, {}), 'Google Drive');
    expect(await auditOf('sync_pair.stopped')).toEqual([expect.objectContaining({ actorId: null, target: pair.id, details: { integrationId: 'google-drive', reason: 'integration_not_enabled' } })]);

    // The endpoint's events wait: the fan-out makes no delivery for it.
    await appendTestEvents(harness.server.ctx, harness.workspaceId, 2);
    await fanOutAll(harness.server.ctx.db, harness.server.ctx.clock);
    expect(await deliveries()).toBe(delivered);

    // Installing resumes both: the pair runs at once, the endpoint gets the events it waited for.
    await harness.install('google-drive');
    await harness.install('webhooks');
    await worker.runDue();
    const resumed = syncPairSchema.parse(await (await harness.api(`${workspacePath()}/sync-pairs/${pair.id}`)).json());
    expect(resumed).toMatchObject({ status: 'idle', lastRun: { ok: true } });
    expect(harness.google.requests.count({ pathPrefix: '/token' })).toBe(tokenCalls + 1);
    await fanOutAll(harness.server.ctx.db, harness.server.ctx.clock);
    expect(await deliveries()).toBeGreaterThanOrEqual(delivered + 2);
  });
});
