/**
 * @module marketplace/marketplace.providers.test
 * Integrations that connect through a provider, over real HTTP against the
 * Google Drive emulator on 127.0.0.1:
 * - disabling Google Drive stops its sync pairs (a run-now does nothing, the
 *   pair says why); enabling runs them again and the change reaches Drive;
 * - the server's calls to the provider through the connection (token
 *   refresh, account check) and each sync run are measured, in the API and in /metrics;
 * - removing Google Drive revokes the grant at Google (the old access token
 *   is refused there), disconnects the connection, deletes its sync pairs and
 *   their jobs, and audits each step.
 */
import { analyticsReportSchema, auditEntrySchema, errorBodySchema, pageOf, removedIntegrationSchema, syncPairSchema } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startConnectionHarness, type ConnectionHarness } from '../connections/connection-test-harness.js';
import { connectionServices } from '../connections/connection-services.js';
import { openTokens } from '../connections/connection-store.js';
import { resolveProvider } from '../connections/provider-catalog.js';
import { syncPairJobKind } from '../sync-pairs/pair-store.js';
import { SyncPairWorker } from '../sync-pairs/sync-pair-worker.js';

let harness: ConnectionHarness;
let worker: SyncPairWorker;
const noSleep = () => Promise.resolve();
const nodeSchema = z.object({ id: z.string(), name: z.string() });
const driveScopes = ['files:read', 'files:write', 'google:drive.file'];

beforeAll(async () => {
  harness = await startConnectionHarness({ syncPairWorker: false });
  worker = new SyncPairWorker(harness.server.ctx, { selfUrl: harness.server.url, policy: { random: () => 0.5, driverRetry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, sleep: noSleep } } });
});

afterAll(async () => {
  await worker.stop();
  await harness.close();
});

async function json<T>(schema: z.ZodType<T>, response: Response, status = 200): Promise<T> {
  const body: unknown = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(status);
  return schema.parse(body);
}

const workspacePath = () => `/api/v1/workspaces/${harness.workspaceId}`;

async function upload(folderId: string, name: string, text: string): Promise<void> {
  const answer = await harness.api(`/api/v1/nodes/${folderId}/files/${encodeURIComponent(name)}`, { method: 'PUT', body: text, headers: { 'content-type': 'application/octet-stream' } });
  expect([200, 201]).toContain(answer.status);
}

function driveNames(folderName: string): string[] {
  const folder = harness.google.state.all().find((file) => file.name === folderName && file.mimeType === 'application/vnd.google-apps.folder' && !file.trashed);
  if (folder === undefined) return [];
  return harness.google.state
    .all()
    .filter((file) => file.parents.includes(folder.id) && !file.trashed)
    .map((file) => file.name)
    .sort();
}

describe('integrations that connect through a provider', () => {
  let connectionId = '';
  let pairId = '';
  let folderId = '';

  it('stops Google Drive sync pairs while it is disabled and runs them again after enable', async () => {
    const manifest = await json(z.object({ scopes: z.array(z.object({ id: z.string() })) }), await harness.api('/api/v1/marketplace/integrations/google-drive'));
    expect(manifest.scopes.map((scope) => scope.id).sort()).toEqual(driveScopes);
    await json(z.object({ enabled: z.boolean() }), await harness.api(`${workspacePath()}/integrations`, { method: 'POST', body: JSON.stringify({ integrationId: 'google-drive', consentedScopes: driveScopes }) }), 201);
    ({ connectionId } = await harness.connect('google-drive'));
    expect(connectionId).not.toBe('');
    const workspace = await json(z.object({ rootFolderId: z.string() }), await harness.api(workspacePath()));
    folderId = (await json(nodeSchema, await harness.api(`/api/v1/nodes/${workspace.rootFolderId}/folders`, { method: 'POST', body: JSON.stringify({ name: 'Shared' }) }), 201)).id;
    await upload(folderId, 'a.txt', 'first');
    const pair = await json(syncPairSchema, await harness.api(`${workspacePath()}/sync-pairs`, { method: 'POST', body: JSON.stringify({ folderId, connectionId, remotePath: '/Lifecycle' }) }), 201);
    pairId = pair.id;
    await worker.runDue();
    expect(driveNames('Lifecycle')).toEqual(['a.txt']);

    await json(z.object({ enabled: z.literal(false) }), await harness.api(`${workspacePath()}/integrations/google-drive`, { method: 'PATCH', body: JSON.stringify({ enabled: false }) }));
    const stopped = await json(syncPairSchema, await harness.api(`${workspacePath()}/sync-pairs/${pairId}`));
    expect(stopped).toMatchObject({ status: 'paused', paused: false, nextRunAt: null, lastError: { code: 'integration_disabled' } });
    await upload(folderId, 'b.txt', 'second');
    // Run now is refused; a run the change feed schedules is refused by the runner.
    const runNow = await harness.api(`${workspacePath()}/sync-pairs/${pairId}/run`, { method: 'POST', body: '{}' });
    expect(runNow.status).toBe(403);
    expect(errorBodySchema.parse(await runNow.json()).error.code).toBe('integration_disabled');
    expect(await worker.runChangedPairs(harness.workspaceId)).toEqual([pairId]);
    await worker.runDue();
    expect(driveNames('Lifecycle')).toEqual(['a.txt']);
    expect(await json(syncPairSchema, await harness.api(`${workspacePath()}/sync-pairs/${pairId}`))).toMatchObject({ status: 'paused', nextRunAt: null });

    await json(z.object({ enabled: z.literal(true) }), await harness.api(`${workspacePath()}/integrations/google-drive`, { method: 'PATCH', body: JSON.stringify({ enabled: true }) }));
    const resumed = await json(syncPairSchema, await harness.api(`${workspacePath()}/sync-pairs/${pairId}`));
    expect(resumed.status).toBe('idle');
    expect(resumed.nextRunAt).not.toBeNull();
    await worker.runDue();
    expect(driveNames('Lifecycle')).toEqual(['a.txt', 'b.txt']);
  });

  it("measures the server's calls to Google through the connection (token refresh, account check) and each sync run, in the API and /metrics", async () => {
    // An access token about to expire: the check refreshes it first.
    await harness.server.ctx.db.updateTable('connections').set({ access_token_expires_at: new Date(Date.now() + 1000).toISOString() }).where('id', '=', connectionId).execute();
    const checked = await harness.api(`${workspacePath()}/connections/${connectionId}/check`, { method: 'POST', body: '{}' });
    expect(checked.status).toBe(200);
    const google = harness.providers['google-drive'];
    const accountCalls = async () => {
      const report = analyticsReportSchema.parse(await (await harness.api(`${workspacePath()}/analytics?integration=google-drive`)).json());
      return report.integrations[0]?.operations.find((operation) => operation.operation === 'account_identity')?.calls ?? 0;
    };
    // Attributed to the connection's workspace after a lookup of its owner: give it a moment.
    for (let tries = 0; tries < 100 && (await accountCalls()) === 0; tries += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    const report = analyticsReportSchema.parse(await (await harness.api(`${workspacePath()}/analytics?integration=google-drive`)).json());
    const operations = Object.fromEntries((report.integrations[0]?.operations ?? []).map((operation) => [operation.operation, operation]));
    expect(google?.origin).toBeDefined();
    expect(operations.account_identity).toMatchObject({ calls: 1, errors: 0 });
    expect(operations.account_identity?.bytesIn).toBeGreaterThan(0);
    expect(operations.token_refresh).toMatchObject({ calls: 1, errors: 0 });
    expect(operations.token_refresh?.bytesOut).toBeGreaterThan(0);
    // Two runs that copied a file each (the refused run never started).
    expect(operations.sync_run).toMatchObject({ calls: 2, errors: 0, files: 2 });
    expect(operations.sync_run?.bytesOut).toBe('first'.length + 'second'.length);
    expect(report.totals.activeUsers).toBe(1);
    const metrics = await (await fetch(`${harness.server.url}/metrics`)).text();
    // /metrics also counts the calls of the sign-in itself (code exchange, first account read), made before the connection existed.
    expect(metrics).toContain('ferry_integration_calls_total{integration="google-drive",operation="account_identity",outcome="ok"} 2');
    expect(metrics).toContain('ferry_integration_calls_total{integration="google-drive",operation="token_exchange",outcome="ok"} 1');
    expect(metrics).toContain('ferry_integration_calls_total{integration="google-drive",operation="sync_run",outcome="ok"} 2');
    expect(metrics).toContain('ferry_integration_active_users{integration="google-drive"} 1');
  });

  it('revokes the grant at Google, disconnects, and deletes the sync pairs and their jobs on removal', async () => {
    const row = await harness.server.ctx.db.selectFrom('connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow();
    const { accessToken } = openTokens(connectionServices(harness.server.ctx).box, row);
    const accountUrl = resolveProvider('google-drive', harness.providers).accountUrl;
    expect((await fetch(accountUrl, { headers: { authorization: `Bearer ${accessToken ?? ''}` } })).status).toBe(200);

    const removed = await json(removedIntegrationSchema, await harness.api(`${workspacePath()}/integrations/google-drive`, { method: 'DELETE' }));
    expect(removed.revoked).toMatchObject({ connections: 1, syncPairs: 1, webhookEndpoints: 0, oauthTokens: 0 });
    expect(removed.revoked.jobs).toBeGreaterThanOrEqual(1);
    expect((await fetch(accountUrl, { headers: { authorization: `Bearer ${accessToken ?? ''}` } })).status).toBe(401);

    const connection = await json(z.object({ status: z.string() }), await harness.api(`${workspacePath()}/connections/${connectionId}`));
    expect(connection.status).toBe('revoked');
    expect(await json(z.object({ items: z.array(z.unknown()) }), await harness.api(`${workspacePath()}/sync-pairs`))).toEqual({ items: [] });
    const jobs = await harness.server.ctx.db.selectFrom('jobs').select('id').where('kind', '=', syncPairJobKind).where('status', '=', 'pending').where('payload', 'like', `%${pairId}%`).execute();
    expect(jobs).toEqual([]);

    const audit = pageOf(auditEntrySchema).parse(await (await harness.api(`${workspacePath()}/audit?limit=100`)).json());
    const disconnected = audit.items.find((entry) => entry.action === 'connection.disconnected');
    expect(disconnected).toMatchObject({ target: connectionId, details: { provider: 'google-drive', revokedAtProvider: true } });
    const removal = audit.items.find((entry) => entry.action === 'integration.removed');
    expect(removal?.details).toMatchObject({ revoked: { connections: 1, syncPairs: 1 } });
  });
});
