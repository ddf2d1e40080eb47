import type { PublicShare, Share } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../context.js';
import { errorCode, json, jsonInit, mkdir, upload } from '../files/file-test-kit.js';
import { startTestServer, type TestServer, type TestUser } from '../testing/index.js';

describe('share links', () => {
  let server: TestServer;
  let alice: TestUser;
  let time = Date.parse('2030-06-01T12:00:00Z');
  const clock: Clock = { now: () => new Date(time) };
  beforeAll(async () => {
    server = await startTestServer({ clock });
    alice = await server.newUser();
  });
  afterAll(async () => {
    await server.close();
  });

  const share = async (nodeId: string, body: Record<string, unknown> = {}) => {
    const response = await alice.api(`/api/v1/nodes/${nodeId}/shares`, jsonInit('POST', body));
    expect(response.status).toBe(201);
    return json<Share>(response);
  };
  const publicInfo = (token: string) => fetch(`${server.url}/api/v1/public/shares/${token}`);
  const download = (token: string, headers: Record<string, string> = {}) => fetch(`${server.url}/api/v1/public/shares/${token}/content`, { headers });

  it('creates a link anyone can read and download without signing in', async () => {
    const file = await upload(alice, alice.workspace.rootFolderId, 'report.pdf', 'the report');
    const created = await share(file.id);
    expect(created.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.url).toBe(`${server.url}/s/${created.token}`);
    expect(created).toMatchObject({ nodeId: file.id, hasPassword: false, maxDownloads: null, downloads: 0, revokedAt: null, createdBy: alice.user.id });
    expect(await json<PublicShare>(await publicInfo(created.token))).toEqual({
      name: 'report.pdf',
      kind: 'file',
      size: 10,
      expiresAt: null,
      passwordRequired: false,
      downloadsLeft: null,
    });
    const body = await download(created.token);
    expect(body.status).toBe(200);
    expect(body.headers.get('content-disposition')).toContain('filename="report.pdf"');
    expect(body.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await body.text()).toBe('the report');
    const listed = await json<{ items: Share[] }>(await alice.api(`/api/v1/workspaces/${alice.workspace.id}/shares`));
    expect(listed.items.find((item) => item.id === created.id)?.downloads).toBe(1);
    const event = await server.ctx.db.selectFrom('events').selectAll().where('workspace_id', '=', alice.workspace.id).where('type', '=', 'share.created').executeTakeFirst();
    expect(event).toBeDefined();
  });

  it('refuses folders, strangers and anonymous callers', async () => {
    const folder = await mkdir(alice, alice.workspace.rootFolderId, 'not-shareable');
    const response = await alice.api(`/api/v1/nodes/${folder.id}/shares`, jsonInit('POST', {}));
    expect(response.status).toBe(409);
    expect(await errorCode(response)).toBe('not_a_file');
    const file = await upload(alice, alice.workspace.rootFolderId, 'mine.txt', 'm');
    const mallory = await server.newUser();
    expect((await mallory.api(`/api/v1/nodes/${file.id}/shares`, jsonInit('POST', {}))).status).toBe(404);
    expect((await mallory.api(`/api/v1/workspaces/${alice.workspace.id}/shares`)).status).toBe(404);
    const created = await share(file.id);
    const revoke = await mallory.api(`/api/v1/shares/${created.id}`, { method: 'DELETE' });
    expect(revoke.status).toBe(404);
    expect(await errorCode(revoke)).toBe('share_not_found');
    expect((await fetch(`${server.url}/api/v1/nodes/${file.id}/shares`, jsonInit('POST', {}))).status).toBe(401);
    expect((await publicInfo('no-such-token')).status).toBe(404);
  });

  it('asks for the password with 401 and checks it', async () => {
    const file = await upload(alice, alice.workspace.rootFolderId, 'locked.txt', 'locked');
    const created = await share(file.id, { password: 'open sesame' });
    expect(created.hasPassword).toBe(true);
    expect((await json<PublicShare>(await publicInfo(created.token))).passwordRequired).toBe(true);
    const missing = await download(created.token);
    expect(missing.status).toBe(401);
    expect(await errorCode(missing)).toBe('share_password_required');
    expect((await download(created.token, { 'x-share-password': 'wrong' })).status).toBe(401);
    const ok = await download(created.token, { 'x-share-password': 'open sesame' });
    expect(await ok.text()).toBe('locked');
    const row = await server.ctx.db.selectFrom('shares').select('password_hash').where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row.password_hash).not.toContain('open sesame');
  });

  it('stops at the download limit with 410 share_exhausted, even under concurrent downloads', async () => {
    const file = await upload(alice, alice.workspace.rootFolderId, 'limited.txt', 'twice');
    const created = await share(file.id, { maxDownloads: 2 });
    const probe = await fetch(`${server.url}/api/v1/public/shares/${created.token}/content`, { method: 'HEAD' });
    expect(probe.status).toBe(200);
    expect(probe.headers.get('content-length')).toBe('5');
    const answers = await Promise.all(Array.from({ length: 5 }, () => download(created.token)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 200, 410, 410, 410]);
    for (const answer of answers) await answer.arrayBuffer();
    const info = await publicInfo(created.token);
    expect(info.status).toBe(410);
    expect(await errorCode(info)).toBe('share_exhausted');
  });

  it('expires at expiresAt with 410 share_expired', async () => {
    const file = await upload(alice, alice.workspace.rootFolderId, 'soon.txt', 'soon');
    const created = await share(file.id, { expiresAt: new Date(time + 3600_000).toISOString() });
    expect((await download(created.token)).status).toBe(200);
    time += 3600_000;
    const expired = await download(created.token);
    expect(expired.status).toBe(410);
    expect(await errorCode(expired)).toBe('share_expired');
    const past = await alice.api(`/api/v1/nodes/${file.id}/shares`, jsonInit('POST', { expiresAt: new Date(time - 1000).toISOString() }));
    expect(past.status).toBe(400);
  });

  it('revokes at once, and a link to a deleted file stops working', async () => {
    const file = await upload(alice, alice.workspace.rootFolderId, 'revoked.txt', 'r');
    const created = await share(file.id);
    const revoked = await alice.api(`/api/v1/shares/${created.id}`, { method: 'DELETE' });
    expect(await json<{ ok: boolean }>(revoked)).toEqual({ ok: true });
    const gone = await download(created.token);
    expect(gone.status).toBe(404);
    expect(await errorCode(gone)).toBe('share_not_found');
    const other = await upload(alice, alice.workspace.rootFolderId, 'trashed.txt', 't');
    const second = await share(other.id);
    await alice.api(`/api/v1/nodes/${other.id}`, { method: 'DELETE' });
    expect((await publicInfo(second.token)).status).toBe(404);
    const types = await server.ctx.db.selectFrom('events').select('type').where('workspace_id', '=', alice.workspace.id).where('type', '=', 'share.revoked').execute();
    expect(types).toHaveLength(1);
  });
});
