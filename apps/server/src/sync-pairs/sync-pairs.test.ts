/**
 * @module sync-pairs/sync-pairs.test
 * Server-side sync pairs over real HTTP against the Google Drive emulator: a
 * workspace upload reaches Drive after run-now and a Drive file reaches the
 * workspace; a 503 storm backs off, then opens the circuit, and after the
 * cool-down (simulated clock) the trial run closes it and the pair converges;
 * a connection that needs reauth pauses the pair; members cannot write;
 * another workspace sees nothing.
 */
import { syncPairSchema } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Clock } from '../context.js';
import { startConnectionHarness, type ConnectionHarness } from '../connections/connection-test-harness.js';
import { SyncPairWorker } from './sync-pair-worker.js';

let harness: ConnectionHarness;
let worker: SyncPairWorker;
let offsetMs = 0;
const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
const noSleep = () => Promise.resolve();

beforeAll(async () => {
  harness = await startConnectionHarness({ syncPairWorker: false });
  // Connections and pairs need their integration installed in the workspace.
  await harness.install('google-drive');
  await harness.install('dropbox');
  harness.server.ctx.clock = clock;
  worker = new SyncPairWorker(harness.server.ctx, {
    selfUrl: harness.server.url,
    policy: { random: () => 0.5, circuitThreshold: 3, coolDownMs: 10 * 60_000, driverRetry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, sleep: noSleep } },
  });
});

afterAll(async () => {
  await worker.stop();
  await harness.close();
});

const nodeSchema = z.object({ id: z.string(), name: z.string() });
const pairsPath = () => `/api/v1/workspaces/${harness.workspaceId}/sync-pairs`;

async function json<T>(schema: z.ZodType<T>, response: Response, status: number): Promise<T> {
  const body: unknown = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(status);
  return schema.parse(body);
}

async function newFolder(name: string): Promise<string> {
  const workspace = await json(z.object({ rootFolderId: z.string() }), await harness.api(`/api/v1/workspaces/${harness.workspaceId}`), 200);
  const folder = await json(nodeSchema, await harness.api(`/api/v1/nodes/${workspace.rootFolderId}/folders`, { method: 'POST', body: JSON.stringify({ name }) }), 201);
  return folder.id;
}

async function upload(folderId: string, name: string, text: string): Promise<void> {
  const answer = await harness.api(`/api/v1/nodes/${folderId}/files/${encodeURIComponent(name)}`, { method: 'PUT', body: text, headers: { 'content-type': 'application/octet-stream' } });
  expect([200, 201]).toContain(answer.status);
}

async function workspaceNames(folderId: string): Promise<string[]> {
  const page = await json(z.object({ items: z.array(nodeSchema) }), await harness.api(`/api/v1/nodes/${folderId}/children`), 200);
  return page.items.map((item) => item.name).sort();
}

function driveFolder(name: string) {
  return harness.google.state.all().find((file) => file.name === name && file.mimeType === 'application/vnd.google-apps.folder' && !file.trashed);
}

function driveFiles(folderId: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const file of harness.google.state.all()) if (file.parents.includes(folderId) && !file.trashed && file.content !== undefined) files[file.name] = file.content.toString('utf8');
  return files;
}

async function pairEvents(pairId: string): Promise<{ type: string; state: unknown }[]> {
  const rows = await harness.server.ctx.db.selectFrom('events').select(['type', 'payload']).where('workspace_id', '=', harness.workspaceId).where('type', 'like', 'sync_pair.%').orderBy('seq').execute();
  const payloadSchema = z.object({ data: z.object({ pairId: z.string(), state: z.unknown().optional() }) });
  return rows.flatMap((row) => {
    const { data } = payloadSchema.parse(JSON.parse(row.payload));
    return data.pairId === pairId ? [{ type: row.type, state: data.state }] : [];
  });
}

const getPair = async (id: string) => json(syncPairSchema, await harness.api(`${pairsPath()}/${id}`), 200);
const runNow = async (id: string) => json(syncPairSchema, await harness.api(`${pairsPath()}/${id}/run`, { method: 'POST' }), 202);

async function createPair(folderId: string, connectionId: string, remotePath: string) {
  return json(syncPairSchema, await harness.api(pairsPath(), { method: 'POST', body: JSON.stringify({ folderId, connectionId, remotePath, intervalSeconds: 300 }) }), 201);
}

describe('server-side sync pairs', () => {
  it('syncs both ways: a workspace upload reaches Drive, a Drive file reaches the workspace', async () => {
    const { connectionId } = await harness.connect('google-drive');
    const folderId = await newFolder('Reports');
    await upload(folderId, 'hello.txt', 'hello from ferry');
    const created = await createPair(folderId, connectionId, '/Team Reports');
    expect(created).toMatchObject({ status: 'idle', circuit: 'closed', provider: 'google-drive', paused: false });

    await worker.runDue();
    const remote = driveFolder('Team Reports');
    expect(remote).toBeDefined();
    expect(driveFiles(remote?.id ?? '')).toEqual({ 'hello.txt': 'hello from ferry' });
    const afterFirst = await getPair(created.id);
    expect(afterFirst).toMatchObject({ status: 'idle', lastError: null, lastRun: { ok: true, copied: 1 } });
    expect(Date.parse(afterFirst.nextRunAt ?? '')).toBeGreaterThan(clock.now().getTime() + 250_000);

    harness.google.state.create({ name: 'from-drive.txt', parents: [remote?.id ?? ''], content: Buffer.from('hello from drive') });
    await runNow(created.id);
    await worker.runDue();
    expect(await workspaceNames(folderId)).toEqual(['from-drive.txt', 'hello.txt']);

    const audit = await harness.server.ctx.db.selectFrom('audit').select('action').where('target', '=', created.id).execute();
    expect(audit.map((row) => row.action)).toEqual(['sync_pair.created', 'sync_pair.run_requested']);
  });

  it('syncs with Dropbox through the same pair routes', async () => {
    const { connectionId } = await harness.connect('dropbox');
    const folderId = await newFolder('Boxed');
    await upload(folderId, 'to-dropbox.txt', 'hello dropbox');
    const pair = await createPair(folderId, connectionId, '/Team Box');
    expect(pair.provider).toBe('dropbox');
    await worker.runDue();
    expect(harness.dropbox.state.lookup('/Team Box/to-dropbox.txt')?.content?.toString('utf8')).toBe('hello dropbox');

    const written = harness.dropbox.state.commitFile({ path: '/Team Box/from-dropbox.txt', mode: { kind: 'add' }, autorename: false, strictConflict: false }, Buffer.from('hello ferry'));
    expect(written.ok).toBe(true);
    await runNow(pair.id);
    await worker.runDue();
    expect(await workspaceNames(folderId)).toEqual(['from-dropbox.txt', 'to-dropbox.txt']);
    expect(await getPair(pair.id)).toMatchObject({ status: 'idle', lastError: null });
  });

  it('a change under the pair\'s folder starts a run; a change elsewhere does not', async () => {
    const { connectionId } = await harness.connect('google-drive');
    const folderId = await newFolder('Feed');
    const elsewhere = await newFolder('Elsewhere');
    const pair = await createPair(folderId, connectionId, '/Feed');
    await worker.runDue();
    await worker.runChangedPairs(harness.workspaceId);
    await worker.runDue();

    await upload(elsewhere, 'not-synced.txt', 'stays here');
    expect(await worker.runChangedPairs(harness.workspaceId)).not.toContain(pair.id);
    await upload(folderId, 'fresh.txt', 'picked up from the event feed');
    expect(await worker.runChangedPairs(harness.workspaceId)).toContain(pair.id);
    await worker.runDue();
    expect(driveFiles(driveFolder('Feed')?.id ?? '')).toEqual({ 'fresh.txt': 'picked up from the event feed' });
  });

  it('backs off in a 503 storm, opens the circuit, and after the cool-down a trial run closes it and converges', async () => {
    const { connectionId } = await harness.connect('google-drive');
    const folderId = await newFolder('Storm');
    const pair = await createPair(folderId, connectionId, '/Storm');
    await worker.runDue();
    expect((await getPair(pair.id)).status).toBe('idle');

    harness.google.faults.push({ match: { path: '/drive/*' }, status: 503, times: 1_000_000 });
    await upload(folderId, 'during-outage.txt', 'queued while Drive is down');
    await runNow(pair.id);
    await worker.runDue();
    const first = await getPair(pair.id);
    expect(first).toMatchObject({ status: 'backing_off', circuit: 'closed', consecutiveFailures: 1, lastError: { code: 'unavailable' } });
    // Backoff 30 s → 15..30 s with jitter (random pinned at 0.5: 22.5 s).
    expect(Date.parse(first.nextRunAt ?? '') - clock.now().getTime()).toBeGreaterThan(15_000);

    for (let failures = 2; failures <= 3; failures += 1) {
      offsetMs = Date.parse((await getPair(pair.id)).nextRunAt ?? '') - Date.now() + 1000;
      await worker.runDue();
    }
    const opened = await getPair(pair.id);
    expect(opened).toMatchObject({ status: 'backing_off', circuit: 'open', consecutiveFailures: 3 });
    expect(opened.recentErrors).toHaveLength(3);
    expect(Date.parse(opened.circuitOpenUntil ?? '')).toBeGreaterThan(clock.now().getTime() + 9 * 60_000);

    // Drive recovers, but the circuit holds runs until the cool-down ends.
    harness.google.faults.clear();
    offsetMs += 60_000;
    expect(await worker.runDue()).toBe(0);
    expect((await getPair(pair.id)).circuit).toBe('open');

    offsetMs = Date.parse(opened.circuitOpenUntil ?? '') - Date.now() + 1000;
    await worker.runDue();
    const closed = await getPair(pair.id);
    expect(closed).toMatchObject({ status: 'idle', circuit: 'closed', consecutiveFailures: 0, lastRun: { ok: true } });
    expect(await pairEvents(pair.id)).toEqual([
      { type: 'sync_pair.failed', state: 'circuit_open' },
      { type: 'sync_pair.recovered', state: undefined },
    ]);
    expect(driveFiles(driveFolder('Storm')?.id ?? '')).toEqual({ 'during-outage.txt': 'queued while Drive is down' });
  });

  it('pauses the pair with a reconnect message when the connection needs reauth, and runs again once resumed', async () => {
    const { connectionId } = await harness.connect('google-drive');
    const folderId = await newFolder('Reauth');
    const pair = await createPair(folderId, connectionId, '/Reauth');
    await harness.server.ctx.db.updateTable('connections').set({ status: 'needs_reauth' }).where('id', '=', connectionId).execute();
    await worker.runDue();
    const paused = await getPair(pair.id);
    expect(paused).toMatchObject({ status: 'paused', paused: true, nextRunAt: null });
    expect(paused.lastError?.message).toContain('reconnect');
    expect(await pairEvents(pair.id)).toEqual([{ type: 'sync_pair.failed', state: 'paused' }]);
    expect((await harness.api(`${pairsPath()}/${pair.id}/run`, { method: 'POST' })).status).toBe(409);

    await harness.server.ctx.db.updateTable('connections').set({ status: 'active' }).where('id', '=', connectionId).execute();
    const resumed = await json(syncPairSchema, await harness.api(`${pairsPath()}/${pair.id}`, { method: 'PATCH', body: JSON.stringify({ paused: false }) }), 200);
    expect(resumed).toMatchObject({ paused: false, status: 'idle' });
    await worker.runDue();
    expect(await getPair(pair.id)).toMatchObject({ status: 'idle', lastRun: { ok: true } });
  });

  it('members read but get 403 on writes; another workspace gets 404', async () => {
    const { connectionId } = await harness.connect('google-drive');
    const pair = await createPair(await newFolder('Roles'), connectionId, '/Roles');
    const member = await harness.server.newUser();
    await harness.server.ctx.db.insertInto('members').values({ workspace_id: harness.workspaceId, user_id: member.user.id, role: 'member', added_at: new Date().toISOString() }).execute();
    expect((await member.api(`${pairsPath()}/${pair.id}`)).status).toBe(200);
    expect((await member.api(`${pairsPath()}/${pair.id}/run`, { method: 'POST', headers: { 'x-ferry-request': '1' } })).status).toBe(403);
    expect((await member.api(`${pairsPath()}/${pair.id}`, { method: 'DELETE' })).status).toBe(403);

    const stranger = await harness.server.newUser();
    expect((await stranger.api(`${pairsPath()}/${pair.id}`)).status).toBe(404);
    expect((await stranger.api(`/api/v1/workspaces/${stranger.workspace.id}/sync-pairs/${pair.id}`)).status).toBe(404);

    expect((await harness.api(`${pairsPath()}/${pair.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await harness.api(`${pairsPath()}/${pair.id}`)).status).toBe(404);
  });
});
