import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FerryNode, UploadSession } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../context.js';
import { startTestServer, type TestServer, type TestUser } from '../testing/index.js';
import { errorCode, json, jsonInit, upload } from './file-test-kit.js';

const hex = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

function append(user: TestUser, id: string, offset: number, chunk: Uint8Array): Promise<Response> {
  return user.api(`/api/v1/uploads/${id}`, { method: 'PATCH', body: chunk, headers: { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' } });
}

describe('resumable uploads', () => {
  let server: TestServer;
  let alice: TestUser;
  let root: string;
  let time = Date.parse('2030-01-01T00:00:00Z');
  const clock: Clock = { now: () => new Date(time) };
  beforeAll(async () => {
    server = await startTestServer({ clock, maxUploadBytes: 10_000, maxChunkBytes: 1000, uploadSessionTtlMs: 3600_000 });
    alice = await server.newUser();
    root = alice.workspace.rootFolderId;
  });
  afterAll(async () => {
    await server.close();
  });

  const create = async (body: Record<string, unknown>) => alice.api('/api/v1/uploads', jsonInit('POST', { parentId: root, ...body }));

  it('uploads in chunks at Upload-Offset and finishes into a file', async () => {
    const data = new Uint8Array(2500).map((_, index) => index % 251);
    const created = await create({ name: 'chunked.bin', size: data.length, sha256: hex(data) });
    expect(created.status).toBe(201);
    const session = await json<UploadSession>(created);
    expect(session).toMatchObject({ name: 'chunked.bin', size: 2500, offset: 0, parentId: root });
    expect((await append(alice, session.id, 0, data.subarray(0, 1000))).status).toBe(200);
    const wrongOffset = await append(alice, session.id, 0, data.subarray(1000, 2000));
    expect(wrongOffset.status).toBe(409);
    expect(await errorCode(wrongOffset)).toBe('offset_mismatch');
    const tooBig = await append(alice, session.id, 1000, data.subarray(1000, 2200));
    expect(tooBig.status).toBe(413);
    const early = await alice.api(`/api/v1/uploads/${session.id}/finish`, { method: 'POST' });
    expect(await errorCode(early)).toBe('size_mismatch');
    expect((await append(alice, session.id, 1000, data.subarray(1000, 2000))).status).toBe(200);
    const last = await append(alice, session.id, 2000, data.subarray(2000));
    expect(last.headers.get('upload-offset')).toBe('2500');
    const finished = await alice.api(`/api/v1/uploads/${session.id}/finish`, { method: 'POST' });
    expect(finished.status).toBe(200);
    const node = await json<FerryNode>(finished);
    expect(node).toMatchObject({ name: 'chunked.bin', size: 2500, sha256: hex(data), path: '/chunked.bin' });
    expect(new Uint8Array(await (await alice.api(`/api/v1/nodes/${node.id}/content`)).arrayBuffer())).toEqual(data);
    expect((await alice.api(`/api/v1/uploads/${session.id}`)).status).toBe(404);
    expect(existsSync(join(server.dataDir, 'uploads', session.id))).toBe(false);
  });

  it('refuses sizes over the limit, bad names, and a wrong digest at the end', async () => {
    expect((await create({ name: 'huge.bin', size: 10_001 })).status).toBe(413);
    expect(await errorCode(await create({ name: 'a/b', size: 1 }))).toBe('invalid_name');
    const session = await json<UploadSession>(await create({ name: 'wrong.bin', size: 3, sha256: hex(new Uint8Array([9, 9, 9])) }));
    await append(alice, session.id, 0, new Uint8Array([1, 2, 3]));
    const finished = await alice.api(`/api/v1/uploads/${session.id}/finish`, { method: 'POST' });
    expect(finished.status).toBe(400);
    expect(await errorCode(finished)).toBe('digest_mismatch');
    expect((await alice.api(`/api/v1/workspaces/${alice.workspace.id}/resolve?path=/wrong.bin`)).status).toBe(404);
  });

  it('replaces only the version named by ifMatch', async () => {
    const existing = await upload(alice, root, 'replace.bin', 'old');
    const session = await json<UploadSession>(await create({ name: 'replace.bin', size: 3, ifMatch: existing.versionId }));
    await upload(alice, root, 'replace.bin', 'mid');
    await append(alice, session.id, 0, new TextEncoder().encode('new'));
    const finished = await alice.api(`/api/v1/uploads/${session.id}/finish`, { method: 'POST' });
    expect(finished.status).toBe(412);
    expect(await (await alice.api(`/api/v1/nodes/${existing.id}/content`)).text()).toBe('mid');
    const hexNew = hex(new TextEncoder().encode('new'));
    expect(existsSync(join(server.dataDir, 'blobs', hexNew.slice(0, 2), hexNew.slice(2, 4), hexNew))).toBe(false);
  });

  it('keeps sessions private, cancels them, and expires them with 410', async () => {
    const bob = await server.newUser();
    const session = await json<UploadSession>(await create({ name: 'private.bin', size: 5 }));
    expect((await bob.api(`/api/v1/uploads/${session.id}`)).status).toBe(404);
    expect((await append(bob, session.id, 0, new Uint8Array(5))).status).toBe(404);
    expect((await fetch(`${server.url}/api/v1/uploads/${session.id}`)).status).toBe(401);
    const cancelled = await alice.api(`/api/v1/uploads/${session.id}`, { method: 'DELETE' });
    expect(await json<{ ok: boolean }>(cancelled)).toEqual({ ok: true });
    expect(existsSync(join(server.dataDir, 'uploads', session.id))).toBe(false);

    const expiring = await json<UploadSession>(await create({ name: 'late.bin', size: 5 }));
    time += 3600_001;
    const late = await alice.api(`/api/v1/uploads/${expiring.id}`);
    expect(late.status).toBe(410);
    expect(await errorCode(late)).toBe('upload_expired');
    expect(existsSync(join(server.dataDir, 'uploads', expiring.id))).toBe(false);
    expect((await alice.api(`/api/v1/uploads/${expiring.id}`)).status).toBe(404);
  });
});

describe('resumable uploads across a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-resume-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('resumes after the server restarts on the same data folder, trusting the shorter of file and record', async () => {
    const data = new Uint8Array(1800).map((_, index) => (index * 7) % 256);
    let server = await startTestServer({ dataDir, maxChunkBytes: 1000 });
    const alice = await server.newUser();
    const created = await alice.api('/api/v1/uploads', jsonInit('POST', { parentId: alice.workspace.rootFolderId, name: 'resumed.bin', size: data.length, sha256: hex(data) }));
    const session = await json<UploadSession>(created);
    await append(alice, session.id, 0, data.subarray(0, 1000));
    await server.close();
    // A crash after writing more bytes than were recorded: the extra tail must be cut off.
    writeFileSync(join(dataDir, 'uploads', session.id), new Uint8Array(200), { flag: 'a' });
    // Partial data no session owns is removed at start.
    writeFileSync(join(dataDir, 'uploads', 'upl_orphan'), 'left over');

    server = await startTestServer({ dataDir, maxChunkBytes: 1000 });
    const again: TestUser = { ...alice, api: (path, init = {}) => fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${alice.token}`, ...(init.headers ?? {}) } }) };
    expect(existsSync(join(dataDir, 'uploads', 'upl_orphan'))).toBe(false);
    const state = await json<UploadSession>(await again.api(`/api/v1/uploads/${session.id}`));
    expect(state.offset).toBe(1000);
    expect(statSync(join(dataDir, 'uploads', session.id)).size).toBe(1000);
    expect((await append(again, session.id, 1000, data.subarray(1000))).status).toBe(200);
    const node = await json<FerryNode>(await again.api(`/api/v1/uploads/${session.id}/finish`, { method: 'POST' }));
    expect(node.sha256).toBe(hex(data));
    expect(new Uint8Array(await (await again.api(`/api/v1/nodes/${node.id}/content`)).arrayBuffer())).toEqual(data);
    // The session is gone. (Also: the last answer before close is a small JSON one, not a stream whose
    // connection could turn idle just after close() began and then keep the close waiting.)
    expect((await again.api(`/api/v1/uploads/${session.id}`)).status).toBe(404);
    await server.close();
  });
});
