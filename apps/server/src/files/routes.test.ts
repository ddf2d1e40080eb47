import type { FerryEvent, FerryNode } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../testing/index.js';
import { errorCode, json, jsonInit, mkdir, upload } from './file-test-kit.js';

interface Page {
  items: FerryNode[];
  nextCursor: string | null;
}

describe('files and folders', () => {
  let server: TestServer;
  let alice: TestUser;
  let mallory: TestUser;
  let root: string;
  beforeAll(async () => {
    server = await startTestServer();
    alice = await server.newUser();
    mallory = await server.newUser();
    root = alice.workspace.rootFolderId;
  });
  afterAll(async () => {
    await server.close();
  });

  const getNode = async (id: string) => json<FerryNode>(await alice.api(`/api/v1/nodes/${id}`));
  const patch = (id: string, body: unknown, headers: Record<string, string> = {}) => alice.api(`/api/v1/nodes/${id}`, jsonInit('PATCH', body, headers));
  const events = async (type: string) => {
    const rows = await server.ctx.db.selectFrom('events').selectAll().where('workspace_id', '=', alice.workspace.id).where('type', '=', type).orderBy('seq').execute();
    return rows.map((row) => ({ ...(JSON.parse(row.payload) as Pick<FerryEvent, 'node' | 'from'>), actorId: row.actor_id }));
  };

  it('creates folders, answers paths, resolves paths ignoring case', async () => {
    const docs = await mkdir(alice, root, 'Docs');
    expect(docs).toMatchObject({ kind: 'folder', name: 'Docs', path: '/Docs', parentId: root, sha256: null });
    const reports = await mkdir(alice, docs.id, 'Reports');
    const file = await upload(alice, reports.id, 'q1.pdf', 'pdf');
    expect(file.path).toBe('/Docs/Reports/q1.pdf');
    const got = await alice.api(`/api/v1/nodes/${file.id}`);
    expect(got.headers.get('etag')).toBe(`"${file.versionId}"`);
    expect((await json<FerryNode>(got)).path).toBe('/Docs/Reports/q1.pdf');
    const resolved = await alice.api(`/api/v1/workspaces/${alice.workspace.id}/resolve?path=${encodeURIComponent('/docs/REPORTS/Q1.pdf')}`);
    expect((await json<FerryNode>(resolved)).id).toBe(file.id);
    expect((await json<FerryNode>(await alice.api(`/api/v1/workspaces/${alice.workspace.id}/resolve?path=/`))).id).toBe(root);
    expect((await alice.api(`/api/v1/workspaces/${alice.workspace.id}/resolve?path=/Docs/nope`)).status).toBe(404);
    const created = await events('folder.created');
    expect(created.at(-1)?.node).toMatchObject({ id: reports.id, path: '/Docs/Reports' });
    const audit = await server.ctx.db.selectFrom('audit').selectAll().where('target', '=', file.id).execute();
    expect(audit[0]).toMatchObject({ action: 'file.created', actor_id: alice.user.id, ip: '127.0.0.1' });
  });

  it('keeps names unique per folder ignoring case, and checks them', async () => {
    const folder = await mkdir(alice, root, 'unique');
    await mkdir(alice, folder.id, 'Same');
    const clash = await alice.api(`/api/v1/nodes/${folder.id}/folders`, jsonInit('POST', { name: 'SAME' }));
    expect(clash.status).toBe(409);
    expect(await errorCode(clash)).toBe('name_conflict');
    const fileOverFolder = await alice.api(`/api/v1/nodes/${folder.id}/files/same`, { method: 'PUT', body: 'x' });
    expect(await errorCode(fileOverFolder)).toBe('name_conflict');
    for (const name of ['a/b', 'nul\u0000', '..', '.', '', 'x'.repeat(256), 'bad\uD800']) {
      const response = await alice.api(`/api/v1/nodes/${folder.id}/folders`, jsonInit('POST', { name }));
      expect(response.status, JSON.stringify(name)).toBe(400);
      expect(await errorCode(response)).toBe('invalid_name');
    }
  });

  it('answers malformed JSON and missing fields with 400 in the error shape', async () => {
    const malformed = await alice.api(`/api/v1/nodes/${root}/folders`, { method: 'POST', body: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(await errorCode(malformed)).toBe('invalid_json');
    const missing = await alice.api(`/api/v1/nodes/${root}/folders`, jsonInit('POST', {}));
    expect(await errorCode(missing)).toBe('validation_failed');
  });

  it('answers 401 without a token and 404 node_not_found across workspaces', async () => {
    const secret = await mkdir(alice, root, 'secret');
    expect((await fetch(`${server.url}/api/v1/nodes/${secret.id}`)).status).toBe(401);
    const probes: Array<[string, RequestInit]> = [
      [`/api/v1/nodes/${secret.id}`, {}],
      [`/api/v1/nodes/${secret.id}/children`, {}],
      [`/api/v1/nodes/${secret.id}/folders`, jsonInit('POST', { name: 'x' })],
      [`/api/v1/nodes/${secret.id}`, jsonInit('PATCH', { name: 'x' })],
      [`/api/v1/nodes/${secret.id}`, { method: 'DELETE' }],
      [`/api/v1/nodes/${secret.id}/restore`, { method: 'POST' }],
    ];
    for (const [path, init] of probes) {
      const response = await mallory.api(path, init);
      expect(response.status, `${init.method ?? 'GET'} ${path}`).toBe(404);
      expect(await errorCode(response)).toBe('node_not_found');
    }
    expect((await mallory.api(`/api/v1/workspaces/${alice.workspace.id}/search?q=secret`)).status).toBe(404);
    expect((await mallory.api(`/api/v1/workspaces/${alice.workspace.id}/trash`)).status).toBe(404);
    // Moving one's own node into another workspace's folder is not possible either.
    const own = await mkdir(mallory, mallory.workspace.rootFolderId, 'mine');
    const across = await mallory.api(`/api/v1/nodes/${own.id}`, jsonInit('PATCH', { parentId: secret.id }));
    expect(across.status).toBe(404);
    expect((await getNode(secret.id)).name).toBe('secret');
  });

  it('renames and moves with If-Match, refusing cycles, clashes and stale ETags', async () => {
    const a = await mkdir(alice, root, 'move-a');
    const b = await mkdir(alice, a.id, 'move-b');
    const other = await mkdir(alice, root, 'move-other');
    const file = await upload(alice, a.id, 'note.txt', 'n');
    await upload(alice, other.id, 'taken.txt', 't');

    const intoSelf = await patch(a.id, { parentId: a.id });
    expect(intoSelf.status).toBe(409);
    expect(await errorCode(intoSelf)).toBe('cycle');
    expect(await errorCode(await patch(a.id, { parentId: b.id }))).toBe('cycle');
    expect(await errorCode(await patch(file.id, { parentId: other.id, name: 'TAKEN.txt' }))).toBe('name_conflict');
    const stale = await patch(file.id, { name: 'renamed.txt' }, { 'if-match': '"ver_old"' });
    expect(stale.status).toBe(412);
    expect(await errorCode(stale)).toBe('precondition_failed');
    expect((await getNode(file.id)).name).toBe('note.txt');

    const moved = await patch(file.id, { name: 'renamed.txt', parentId: other.id }, { 'if-match': file.versionId });
    expect(moved.status).toBe(200);
    const node = await json<FerryNode>(moved);
    expect(node).toMatchObject({ name: 'renamed.txt', parentId: other.id, path: '/move-other/renamed.txt' });
    expect(moved.headers.get('etag')).toBe(`"${node.versionId}"`);
    expect(node.versionId).not.toBe(file.versionId);
    const event = (await events('file.moved')).at(-1);
    expect(event?.from).toEqual({ parentId: a.id, name: 'note.txt', path: '/move-a/note.txt' });
    // A case-only rename of the same node is allowed.
    expect((await patch(node.id, { name: 'RENAMED.txt' })).status).toBe(200);
    const folderMove = await json<FerryNode>(await patch(b.id, { parentId: other.id }));
    expect(folderMove.path).toBe('/move-other/move-b');
    expect((await events('folder.moved')).at(-1)?.node?.id).toBe(b.id);
  });

  it('moves to the trash and restores, renaming when the name was taken meanwhile', async () => {
    const project = await mkdir(alice, root, 'project');
    const sub = await mkdir(alice, project.id, 'sub');
    const inner = await upload(alice, sub.id, 'inner.txt', 'i');
    const stale = await alice.api(`/api/v1/nodes/${project.id}`, { method: 'DELETE', headers: { 'if-match': '"ver_nope"' } });
    expect(stale.status).toBe(412);
    const deleted = await alice.api(`/api/v1/nodes/${project.id}`, { method: 'DELETE', headers: { 'if-match': `"${project.versionId}"` } });
    expect(deleted.status).toBe(200);
    expect((await json<FerryNode>(deleted)).deletedAt).not.toBeNull();
    expect((await getNode(inner.id)).deletedAt).not.toBeNull();
    const trash = await json<Page>(await alice.api(`/api/v1/workspaces/${alice.workspace.id}/trash`));
    expect(trash.items.map((item) => item.id)).toContain(project.id);
    expect(trash.items.map((item) => item.id)).not.toContain(sub.id);
    expect((await alice.api(`/api/v1/nodes/${project.id}/children`)).status).toBe(404);
    expect((await events('folder.deleted')).at(-1)?.node?.id).toBe(project.id);

    await mkdir(alice, root, 'PROJECT');
    const restored = await alice.api(`/api/v1/nodes/${project.id}/restore`, { method: 'POST' });
    expect(restored.status).toBe(200);
    expect(await json<FerryNode>(restored)).toMatchObject({ name: 'project (restored)', deletedAt: null, parentId: root });
    expect((await getNode(inner.id)).deletedAt).toBeNull();
    expect((await getNode(inner.id)).path).toBe('/project (restored)/sub/inner.txt');
    expect((await events('folder.restored')).at(-1)?.node?.name).toBe('project (restored)');
    expect((await alice.api(`/api/v1/nodes/${project.id}/restore`, { method: 'POST' })).status).toBe(400);
  });

  it('restores into the root when the old folder is itself in the trash', async () => {
    const box = await mkdir(alice, root, 'box');
    const file = await upload(alice, box.id, 'lonely.txt', 'l');
    await alice.api(`/api/v1/nodes/${file.id}`, { method: 'DELETE' });
    await alice.api(`/api/v1/nodes/${box.id}`, { method: 'DELETE' });
    const restored = await json<FerryNode>(await alice.api(`/api/v1/nodes/${file.id}/restore`, { method: 'POST' }));
    expect(restored).toMatchObject({ parentId: root, path: '/lonely.txt', deletedAt: null });
    expect((await events('file.restored')).at(-1)?.node?.id).toBe(file.id);
  });

  it('refuses to delete, rename or move the root folder', async () => {
    expect((await alice.api(`/api/v1/nodes/${root}`, { method: 'DELETE' })).status).toBe(400);
    expect((await patch(root, { name: 'x' })).status).toBe(400);
  });

  it('searches names by substring ignoring case, with paths, paged', async () => {
    const folder = await mkdir(alice, root, 'search-here');
    for (const name of ['Budget 2024.xlsx', 'budget-final.xlsx', 'notes.txt', 'OLD BUDGET.txt']) await upload(alice, folder.id, name, name);
    const first = await json<Page>(await alice.api(`/api/v1/workspaces/${alice.workspace.id}/search?q=BUDGET&limit=2`));
    expect(first.items).toHaveLength(2);
    const second = await json<Page>(await alice.api(`/api/v1/workspaces/${alice.workspace.id}/search?q=BUDGET&limit=2&cursor=${first.nextCursor}`));
    const names = [...first.items, ...second.items].map((item) => item.name);
    expect(names.sort()).toEqual(['Budget 2024.xlsx', 'OLD BUDGET.txt', 'budget-final.xlsx']);
    expect(first.items[0]?.path).toMatch(/^\/search-here\//);
    const percent = await json<Page>(await alice.api(`/api/v1/workspaces/${alice.workspace.id}/search?q=${encodeURIComponent('%')}`));
    expect(percent.items).toEqual([]);
  });

  it('lists a folder of 2,500 entries in pages, folders first, with no duplicates or gaps', async () => {
    const big = await mkdir(alice, root, 'big');
    const now = new Date().toISOString();
    const rows = Array.from({ length: 2500 }, (_, index) => ({
      id: `nod_bulk${index}`,
      workspace_id: alice.workspace.id,
      parent_id: big.id,
      kind: index % 5 === 0 ? ('folder' as const) : ('file' as const),
      name: `Entry ${String(index).padStart(4, '0')}`,
      name_key: `entry ${String(index).padStart(4, '0')}`,
      size: 0,
      sha256: index % 5 === 0 ? null : 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      version_id: `ver_bulk${index}`,
      content_version_id: null,
      created_at: now,
      updated_at: now,
      deleted_at: null,
      trashed: 0,
    }));
    for (let start = 0; start < rows.length; start += 500) await server.ctx.db.insertInto('nodes').values(rows.slice(start, start + 500)).execute();
    const seen: FerryNode[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `limit=300&cursor=${cursor}` : 'limit=300';
      const page: Page = await json<Page>(await alice.api(`/api/v1/nodes/${big.id}/children?${query}`));
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(9);
    expect(seen).toHaveLength(2500);
    expect(new Set(seen.map((node) => node.id)).size).toBe(2500);
    expect(seen.slice(0, 500).every((node) => node.kind === 'folder')).toBe(true);
    expect(seen.slice(500).every((node) => node.kind === 'file')).toBe(true);
    const fileNames = seen.slice(500).map((node) => node.name);
    expect(fileNames).toEqual([...fileNames].sort());
    expect((await alice.api(`/api/v1/nodes/${big.id}/children?cursor=garbage`)).status).toBe(400);
  });
});
