/**
 * @module sync-ferry-replica.test
 * The same stories between a local folder and a real Ferry server (on
 * 127.0.0.1, temp data dir): the Ferry driver behind the one SyncDriver
 * contract. It lives with the CLI, which depends on both the server and the
 * sync engine, so that `@ferry/sync` itself never depends on the server (the
 * server runs the engine for its sync pairs).
 */
import { startTestServer, type TestServer } from '@ferry/server/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeAllPairs, ferryReplica, registerReplicaKind, syncPair } from '@ferry/sync/testing';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  registerReplicaKind(
    'ferry',
    ferryReplica({
      connect: async () => {
        const { token, workspace } = await server.newUser();
        return { baseUrl: server.url, token, workspaceId: workspace.id };
      },
    }),
  );
});
afterAll(async () => server.close());
afterEach(closeAllPairs);

describe('local ↔ Ferry server', () => {
  it('new files and folders travel both ways, then nothing more happens', async () => {
    const h = await syncPair('local', 'ferry');
    await h.a.write('docs/x.txt', 'hello');
    await h.b.write('from-server/y.txt', 'uploaded in the console');
    await h.sync();
    await h.expectTrees({ 'docs/x.txt': 'hello', 'from-server/y.txt': 'uploaded in the console' });
    await h.expectConverged();
  });

  it('edits, renames and deletes follow; a renamed folder is moved on the server, not re-uploaded', async () => {
    const h = await syncPair('local', 'ferry');
    for (let index = 0; index < 5; index++) await h.a.write(`project/f${index}.txt`, `file ${index}`);
    await h.a.write('keep.txt', 'k');
    await h.sync();
    await h.a.move('project', 'archive/project');
    await h.b.write('keep.txt', 'edited on the server');
    const summary = await h.sync();
    expect(summary).toMatchObject({ moved: 1, copied: 1 });
    await h.expectTrees({ ...Object.fromEntries([0, 1, 2, 3, 4].map((index) => [`archive/project/f${index}.txt`, `file ${index}`])), 'keep.txt': 'edited on the server' });
    await h.b.delete('archive/project/f0.txt');
    expect((await h.sync()).deleted).toBe(1);
    await h.expectConverged();
  });

  it('conflicting edits keep both versions', async () => {
    const h = await syncPair('local', 'ferry');
    await h.a.write('report.txt', 'v1');
    await h.sync();
    await h.a.write('report.txt', 'local edit');
    await h.b.write('report.txt', 'server edit');
    expect((await h.sync()).conflicts).toBe(1);
    expect(Object.values(await h.a.files()).sort()).toEqual(['local edit', 'server edit']);
    await h.expectConverged();
  });

  it('names that clash by case on the server are reported, the rest syncs', async () => {
    const h = await syncPair('local', 'ferry');
    await h.a.write('Readme.md', 'one');
    await h.a.write('README.md', 'two');
    await h.a.write('other.md', 'fine');
    const summary = await h.sync();
    expect(summary.issues).toHaveLength(1);
    expect(Object.keys(await h.b.files())).toHaveLength(2);
  });
});
