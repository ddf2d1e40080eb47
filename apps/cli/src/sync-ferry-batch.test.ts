/**
 * @module sync-ferry-batch.test
 * A first sync of many small files into Ferry travels in batch uploads (one
 * request per folder and up to 500 files), not one request per file; a file
 * too large for a batch goes on its own. Each file of a batch succeeds or
 * fails on its own: a name taken on the server while the batch was on its
 * way is not overwritten, the rest lands, and the next run keeps both
 * versions. Real server on 127.0.0.1; the client's fetch only counts.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@ferry/core';
import { startTestServer, type TestServer, type TestUser } from '@ferry/server/testing';
import { FerryDriver, LocalDriver, runSync } from '@ferry/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let server: TestServer;
let work: string;

beforeAll(async () => {
  server = await startTestServer();
  work = await mkdtemp(join(tmpdir(), 'ferry-batch-sync-'));
});
afterAll(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

/** A client whose requests are tallied by method and path shape; `before` may act before a request goes out. */
function countingClient(user: TestUser, before?: (url: string) => Promise<void>) {
  const requests: string[] = [];
  const client = createClient({
    baseUrl: server.url,
    token: user.token,
    fetch: async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
      requests.push(`${method} ${new URL(url).pathname.replace(/[0-9A-Za-z_-]{20,}/g, ':id')}`);
      await before?.(url);
      return fetch(input, init);
    },
  });
  return { client, requests };
}

async function serverText(user: TestUser, path: string): Promise<string> {
  const resolved = await user.api(`/api/v1/workspaces/${user.workspace.id}/resolve?path=${encodeURIComponent(path)}`);
  expect(resolved.status, path).toBe(200);
  const { id } = (await resolved.json()) as { id: string };
  return (await user.api(`/api/v1/nodes/${id}/content`)).text();
}

describe('local → Ferry in batches', () => {
  it('sends 1,201 small files in a handful of batch requests and the large one alone', async () => {
    const user = await server.newUser();
    const local = join(work, 'many');
    const files: Record<string, string> = {};
    for (let index = 0; index < 1_201; index++) files[`${['docs', 'img', 'src'][index % 3]}/f${index}.txt`] = `file ${index}`;
    for (const [path, content] of Object.entries(files)) {
      await mkdir(join(local, path, '..'), { recursive: true });
      await writeFile(join(local, path), content);
    }
    const large = Buffer.alloc(2 * 1024 * 1024, 7);
    await writeFile(join(local, 'large.bin'), large);
    const { client, requests } = countingClient(user);
    const summary = await runSync({ a: new LocalDriver({ root: local, fsync: false }), b: new FerryDriver({ client, workspaceId: user.workspace.id }), state: join(work, 'many.state') });

    expect(summary).toMatchObject({ copied: 1_202, failed: 0, conflicts: 0 });
    const batches = requests.filter((request) => request.startsWith('POST') && request.endsWith('/files'));
    const singles = requests.filter((request) => request.startsWith('PUT'));
    expect(singles).toHaveLength(1); // large.bin
    expect(batches.length).toBeGreaterThanOrEqual(3); // one folder per request at least
    expect(batches.length).toBeLessThanOrEqual(9); // 3 batches of ≤ 500 actions × 3 folders
    for (const path of ['docs/f0.txt', 'img/f1.txt', 'src/f1199.txt', 'docs/f1200.txt']) expect(await serverText(user, `/${path}`)).toBe(files[path]);
    const again = await runSync({ a: new LocalDriver({ root: local, fsync: false }), b: new FerryDriver({ client, workspaceId: user.workspace.id }), state: join(work, 'many.state') });
    expect(again).toMatchObject({ copied: 0, moved: 0, deleted: 0, conflicts: 0 });
  });

  it('does not overwrite a name taken while the batch was on its way; the next run keeps both', async () => {
    const user = await server.newUser();
    const local = join(work, 'race');
    await mkdir(join(local, 'notes'), { recursive: true });
    for (const name of ['a.txt', 'b.txt', 'c.txt']) await writeFile(join(local, 'notes', name), `local ${name}`);
    let raced = false;
    const { client } = countingClient(user, async (url) => {
      if (raced || !url.endsWith('/files')) return;
      raced = true; // another device writes notes/b.txt just before the batch arrives
      const folder = /\/nodes\/([^/]+)\/files$/.exec(new URL(url).pathname)?.[1] ?? '';
      const put = await user.api(`/api/v1/nodes/${folder}/files/b.txt`, { method: 'PUT', body: 'from another device' });
      expect(put.ok).toBe(true);
    });
    const driver = new FerryDriver({ client, workspaceId: user.workspace.id });
    const state = join(work, 'race.state');
    const first = await runSync({ a: new LocalDriver({ root: local, fsync: false }), b: driver, state });
    expect(first.records.filter((record) => record.status === 'failed').map((record) => [record.path, record.error?.code]), JSON.stringify(first.records)).toEqual([['notes/b.txt', 'precondition_failed']]);
    expect(await serverText(user, '/notes/b.txt')).toBe('from another device');
    expect(await serverText(user, '/notes/a.txt')).toBe('local a.txt');

    const second = await runSync({ a: new LocalDriver({ root: local, fsync: false }), b: driver, state });
    expect(second.failed).toBe(0);
    expect(second.conflicts).toBe(1);
    const localCopy = await readFile(join(local, 'notes', 'b.txt'), 'utf8');
    expect(['local b.txt', 'from another device']).toContain(localCopy);
    expect(await serverText(user, '/notes/b.txt')).toBe(localCopy);
  });
});
