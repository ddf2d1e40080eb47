/**
 * @module connections/provider-pace.sync.test
 * A sync pair's Dropbox calls keep the connection's pace: when Dropbox (the
 * emulator on 127.0.0.1) answers a sync call with 429 and `Retry-After: 120`,
 * the connection is held back for those two minutes — the run stops, and the
 * connection's other calls (an account check) are refused at once without
 * reaching Dropbox — and the refused calls are counted as rate limited in
 * integration analytics.
 */
import { analyticsReportSchema, errorBodySchema, syncPairSchema } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SyncPairWorker } from '../sync-pairs/sync-pair-worker.js';
import { connectionServices } from './connection-services.js';
import { startConnectionHarness, type ConnectionHarness } from './connection-test-harness.js';

let harness: ConnectionHarness;
let worker: SyncPairWorker;
const noSleep = () => Promise.resolve();

beforeAll(async () => {
  harness = await startConnectionHarness({ syncPairWorker: false }, 1000);
  // Connecting a provider needs its integration installed in the workspace.
  await harness.install('dropbox');
  worker = new SyncPairWorker(harness.server.ctx, { selfUrl: harness.server.url, policy: { random: () => 0.5, driverRetry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, sleep: noSleep } } });
});

afterAll(async () => {
  await worker.stop();
  await harness.close();
});

describe("a sync pair's provider calls and the connection's pace", () => {
  it("holds the whole connection back after Dropbox's Retry-After, and counts the refusals", async () => {
    const workspacePath = `/api/v1/workspaces/${harness.workspaceId}`;
    const { connectionId } = await harness.connect('dropbox');
    const workspace = z.object({ rootFolderId: z.string() }).parse(await (await harness.api(workspacePath)).json());
    const folder = z.object({ id: z.string() }).parse(await (await harness.api(`/api/v1/nodes/${workspace.rootFolderId}/folders`, { method: 'POST', body: JSON.stringify({ name: 'Paced' }) })).json());
    const created = await harness.api(`${workspacePath}/sync-pairs`, { method: 'POST', body: JSON.stringify({ folderId: folder.id, connectionId, remotePath: '/Paced' }) });
    const pair = syncPairSchema.parse(await created.json());

    harness.dropbox.faults.push({ match: { path: '/2/*' }, status: 429, retryAfter: 120, times: 1 });
    await worker.runDue();
    const after = syncPairSchema.parse(await (await harness.api(`${workspacePath}/sync-pairs/${pair.id}`)).json());
    expect(after.lastRun?.ok).toBe(false);
    const paceKey = `connection:${connectionId}`;
    expect(connectionServices(harness.server.ctx).http.blockedUntil(paceKey)).toBeGreaterThan(Date.now() + 100_000);

    // The connection's own calls wait for the same Retry-After: refused before they leave.
    const checked = await harness.api(`${workspacePath}/connections/${connectionId}/check`, { method: 'POST', body: '{}' });
    expect(checked.status).toBe(429);
    expect(errorBodySchema.parse(await checked.json()).error.code).toBe('rate_limited');

    const errorsByKind = async () => analyticsReportSchema.parse(await (await harness.api(`${workspacePath}/analytics?integration=dropbox`)).json()).totals.errorsByKind;
    for (let tries = 0; tries < 100 && ((await errorsByKind()).rate_limited ?? 0) < 3; tries += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    // Dropbox's 429, at least one sync retry refused by the pace, and the refused check.
    expect((await errorsByKind()).rate_limited).toBeGreaterThanOrEqual(3);
  });
});
