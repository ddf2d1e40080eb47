/**
 * @module sync-pairs/sync-pairs.drive-calls.test
 * A server sync pair with Google Drive sends every Drive request through the
 * server's provider client (connections/provider-http.ts), so each one is
 * measured: after two runs against the Drive emulator, the integration
 * analytics count exactly as many Drive API calls as the emulator received,
 * per endpoint; and the connection's pace applies per call — a 429 with
 * Retry-After from Drive holds the next call of the connection back.
 */
import { analyticsReportSchema, syncPairSchema } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectionServices } from '../connections/connection-services.js';
import { startConnectionHarness, type ConnectionHarness } from '../connections/connection-test-harness.js';
import { SyncPairWorker } from './sync-pair-worker.js';

let harness: ConnectionHarness;
let worker: SyncPairWorker;
const noSleep = () => Promise.resolve();

beforeAll(async () => {
  harness = await startConnectionHarness({ syncPairWorker: false });
  await harness.install('google-drive');
  worker = new SyncPairWorker(harness.server.ctx, {
    selfUrl: harness.server.url,
    policy: { random: () => 0.5, circuitThreshold: 3, coolDownMs: 60_000, driverRetry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, sleep: noSleep } },
  });
});

afterAll(async () => {
  await worker.stop();
  await harness.close();
});

async function json<T>(schema: z.ZodType<T>, response: Response, status: number): Promise<T> {
  const body: unknown = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(status);
  return schema.parse(body);
}

async function driveApiCalls(): Promise<Map<string, number>> {
  const report = await json(analyticsReportSchema, await harness.api(`/api/v1/workspaces/${harness.workspaceId}/analytics?integration=google-drive`), 200);
  const operations = report.integrations.find((usage) => usage.integration === 'google-drive')?.operations ?? [];
  return new Map(operations.filter((operation) => operation.operation.startsWith('api:')).map((operation) => [operation.operation, operation.calls]));
}

const total = (calls: Map<string, number>) => [...calls.values()].reduce((sum, count) => sum + count, 0);

describe('Google Drive calls of a server sync pair', () => {
  it('are measured one by one: the analytics count what the Drive emulator received', async () => {
    const { connectionId } = await harness.connect('google-drive');
    const workspace = await json(z.object({ rootFolderId: z.string() }), await harness.api(`/api/v1/workspaces/${harness.workspaceId}`), 200);
    const folder = await json(z.object({ id: z.string() }), await harness.api(`/api/v1/nodes/${workspace.rootFolderId}/folders`, { method: 'POST', body: JSON.stringify({ name: 'Measured' }) }), 201);
    for (const name of ['a.txt', 'b.txt']) {
      const put = await harness.api(`/api/v1/nodes/${folder.id}/files/${name}`, { method: 'PUT', body: `content of ${name}`, headers: { 'content-type': 'application/octet-stream' } });
      expect([200, 201]).toContain(put.status);
    }
    // From here on the emulator sees only the pair's calls (the connect's token exchange and account read are behind us).
    harness.google.requests.clear();
    expect(total(await driveApiCalls())).toBe(0);

    const pair = await json(syncPairSchema, await harness.api(`/api/v1/workspaces/${harness.workspaceId}/sync-pairs`, { method: 'POST', body: JSON.stringify({ folderId: folder.id, connectionId, remotePath: '/Measured', intervalSeconds: 300 }) }), 201);
    await worker.runDue();
    expect(await json(syncPairSchema, await harness.api(`/api/v1/workspaces/${harness.workspaceId}/sync-pairs/${pair.id}`), 200)).toMatchObject({ lastRun: { ok: true, copied: 2 } });
    const remote = harness.google.state.all().find((file) => file.name === 'Measured' && !file.trashed);
    harness.google.state.create({ name: 'from-drive.txt', parents: [remote?.id ?? ''], content: Buffer.from('hello from drive') });
    await json(syncPairSchema, await harness.api(`/api/v1/workspaces/${harness.workspaceId}/sync-pairs/${pair.id}/run`, { method: 'POST' }), 202);
    await worker.runDue();

    const received = harness.google.requests.count();
    const calls = await driveApiCalls();
    expect(received).toBeGreaterThan(5);
    expect(total(calls)).toBe(received);
    // Per endpoint too (a file's id folded to :id, so operations stay few): listings, uploads, per-file calls.
    expect(calls.get('api:drive/v3/files')).toBe(harness.google.requests.count({ pathPrefix: '/drive/v3/files' }) - harness.google.requests.count({ pathPrefix: '/drive/v3/files/' }));
    expect(calls.get('api:drive/v3/files/:id') ?? 0).toBe(harness.google.requests.count({ pathPrefix: '/drive/v3/files/' }));
    expect([...calls.keys()].some((operation) => operation.startsWith('api:upload/drive/v3/files'))).toBe(true);
    expect([...calls.keys()].every((operation) => /^api:[a-z0-9/_:]+$/.test(operation))).toBe(true);
  });

  it('keeps the connection\'s pace per call: a Retry-After from Drive holds the connection\'s next call back', async () => {
    const { connectionId } = await harness.connect('google-drive');
    const workspace = await json(z.object({ rootFolderId: z.string() }), await harness.api(`/api/v1/workspaces/${harness.workspaceId}`), 200);
    const folder = await json(z.object({ id: z.string() }), await harness.api(`/api/v1/nodes/${workspace.rootFolderId}/folders`, { method: 'POST', body: JSON.stringify({ name: 'Paced' }) }), 201);
    harness.google.faults.push({ match: { method: 'GET', path: '/drive/v3/files' }, status: 429, retryAfter: 1, times: 1 });
    await json(syncPairSchema, await harness.api(`/api/v1/workspaces/${harness.workspaceId}/sync-pairs`, { method: 'POST', body: JSON.stringify({ folderId: folder.id, connectionId, remotePath: '/Paced', intervalSeconds: 300 }) }), 201);
    const before = Date.now();
    await worker.runDue();
    // The driver retried after the 429 at once (no sleep in its policy): the connection's pace held that retry for the Retry-After.
    expect(connectionServices(harness.server.ctx).http.blockedUntil(`connection:${connectionId}`)).toBeGreaterThanOrEqual(before + 1000);
    const calls = await driveApiCalls();
    const report = await json(analyticsReportSchema, await harness.api(`/api/v1/workspaces/${harness.workspaceId}/analytics?integration=google-drive`), 200);
    expect(report.totals.errorsByKind).toMatchObject({ rate_limited: 1 });
    expect(total(calls)).toBeGreaterThan(0);
  });
});
