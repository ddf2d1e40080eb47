/**
 * @module sync.providers.test
 * The engine between a local folder and Google Drive / Dropbox (the real
 * SDKs against the emulators), told as stories: initial sync both ways,
 * edits on each side, conflicting edits keep both, a renamed folder is moved
 * on the provider (same file ids, nothing uploaded again), deletes
 * propagate, and a case clash is reported for Dropbox.
 *
 * The provider replicas are registered here with `registerReplicaKind`;
 * what a user does "on the provider" goes through a second driver instance,
 * as another client would.
 */
import { dropboxSdkFetch, startDropboxEmulator, startGoogleDriveEmulator, type DropboxEmulator, type GoogleDriveEmulator } from '@ferry/emulators';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ByteStream, DriverEntry, SyncDriver } from './driver.js';
import { DropboxDriver } from './drivers/dropbox.js';
import { GoogleDriveDriver } from './drivers/google-drive.js';
import { closeAllPairs, syncPair } from './testing/harness.js';
import { registerReplicaKind, type ReplicaFixture } from './testing/replicas.js';

let drive: GoogleDriveEmulator;
let dropbox: DropboxEmulator;
let replicas = 0;
const noWait = { sleep: async () => undefined, requestTimeoutMs: 5_000 };

function newGoogleDriveDriver(root: string): GoogleDriveDriver {
  const tokens = drive.issueToken();
  return new GoogleDriveDriver({
    auth: { kind: 'refresh-token', clientId: 'ferry', refreshToken: tokens.refreshToken, accessToken: tokens.accessToken, tokenUrl: `${drive.url}/token` },
    root: { path: root },
    rootUrl: `${drive.url}/`,
    retry: noWait,
  });
}

function newDropboxDriver(root: string): DropboxDriver {
  const tokens = dropbox.issueToken();
  return new DropboxDriver({
    auth: { kind: 'refresh-token', clientId: 'ferry', refreshToken: tokens.refreshToken, accessToken: tokens.accessToken, tokenUrl: `${dropbox.url}/oauth2/token` },
    root,
    domain: dropbox.domain,
    domainDelimiter: '',
    fetch: dropboxSdkFetch(),
    retry: noWait,
  });
}

async function* bytesOf(content: string | Uint8Array): ByteStream {
  yield typeof content === 'string' ? Buffer.from(content) : content;
}

async function text(stream: ByteStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('utf8');
}

const sorted = (record: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(record).sort(([left], [right]) => (left < right ? -1 : 1)));

/** A provider replica: the engine's driver, and a user's own client for changes behind its back. */
function providerReplica(kind: string, newDriver: (root: string) => SyncDriver): (workDir: string) => Promise<ReplicaFixture> {
  return async () => {
    const root = `Ferry-sync/${kind}-${++replicas}`;
    const driver = newDriver(root);
    const user = (): SyncDriver => newDriver(root); // a fresh client per step: no cached folder ids
    const existing = async (client: SyncDriver, path: string): Promise<DriverEntry> => {
      const entry = await client.stat(path);
      if (entry === null) throw new Error(`${path} does not exist on ${kind}`);
      return entry;
    };
    const snapshot = async (): Promise<{ files: Record<string, string>; folders: string[] }> => {
      const client = user();
      const entries = await client.list();
      const files: Record<string, string> = {};
      for (const entry of entries) if (entry.kind === 'file') files[entry.path] = await text(await client.read(entry.path));
      return { files: sorted(files), folders: entries.filter((entry) => entry.kind === 'folder').map((entry) => entry.path).sort() };
    };
    return {
      kind,
      driver,
      async write(path, content) {
        await user().write(path, bytesOf(content), { expected: { kind: 'any' } });
      },
      read: async (path) => text(await user().read(path)),
      async mkdir(path) {
        await user().mkdir(path);
      },
      async delete(path) {
        const client = user();
        const entry = await existing(client, path);
        await client.delete({ path, id: entry.id, kind: entry.kind });
      },
      async move(from, to) {
        const client = user();
        const entry = await existing(client, from);
        await client.move({ path: from, id: entry.id, kind: entry.kind }, to);
      },
      files: async () => (await snapshot()).files,
      folders: async () => (await snapshot()).folders,
      snapshot,
      close: () => driver.close(),
    };
  };
}

beforeAll(async () => {
  [drive, dropbox] = await Promise.all([startGoogleDriveEmulator(), startDropboxEmulator()]);
  registerReplicaKind('google-drive', providerReplica('google-drive', (root) => newGoogleDriveDriver(root)));
  registerReplicaKind('dropbox', providerReplica('dropbox', (root) => newDropboxDriver(`/${root}`)));
});

afterEach(closeAllPairs);

afterAll(async () => {
  await Promise.all([drive.close(), dropbox.close()]);
});

describe.each(['google-drive', 'dropbox'])('local ↔ %s', (provider) => {
  it('syncs both ways at first, then edits from each side, and keeps both versions of a conflicting edit', async () => {
    const h = await syncPair('local', provider);
    await h.a.write('from-local/notes.txt', 'written on the laptop');
    await h.a.write('shared.txt', 'same on both');
    await h.b.write('from-provider/plan.md', 'written in the browser');
    await h.b.write('shared.txt', 'same on both');
    const first = await h.sync({ labels: { a: 'laptop', b: provider } });
    expect(first).toMatchObject({ copied: 2, conflicts: 0, failed: 0 });
    await h.expectTrees({ 'from-local/notes.txt': 'written on the laptop', 'from-provider/plan.md': 'written in the browser', 'shared.txt': 'same on both' });
    await h.expectConverged();

    await h.a.write('from-local/notes.txt', 'edited on the laptop');
    await h.b.write('from-provider/plan.md', 'edited in the browser');
    expect(await h.sync()).toMatchObject({ copied: 2, conflicts: 0, failed: 0 });
    await h.expectTrees({ 'from-local/notes.txt': 'edited on the laptop', 'from-provider/plan.md': 'edited in the browser', 'shared.txt': 'same on both' });

    await h.a.write('shared.txt', 'the laptop version');
    await h.b.write('shared.txt', 'the browser version');
    const conflict = await h.sync({ labels: { a: 'laptop', b: provider } });
    expect(conflict).toMatchObject({ conflicts: 1, failed: 0 });
    const files = await h.b.files();
    const copy = Object.keys(files).find((path) => path.startsWith('shared (conflicted copy')) as string;
    expect(copy).toMatch(new RegExp(`^shared \\(conflicted copy \\d{4}-\\d{2}-\\d{2} \\d{6} from ${provider}\\)\\.txt$`));
    expect([files['shared.txt'], files[copy]]).toEqual(['the laptop version', 'the browser version']);
    await h.expectConverged();
  });

  it('moves a renamed folder on the provider: same file ids, nothing uploaded again', async () => {
    const h = await syncPair('local', provider);
    for (const name of ['a', 'b', 'c']) await h.a.write(`project/src/${name}.txt`, `file ${name}`);
    await h.sync();
    const before = new Map((await h.b.driver.list()).map((entry) => [entry.path, entry]));
    await h.a.move('project', 'archive/project-2025');
    const summary = await h.sync();
    expect(summary).toMatchObject({ moved: 1, copied: 0, bytes: 0, failed: 0 });
    const after = new Map((await h.b.driver.list()).map((entry) => [entry.path, entry]));
    for (const name of ['a', 'b', 'c']) {
      const old = before.get(`project/src/${name}.txt`);
      expect(after.get(`archive/project-2025/src/${name}.txt`)).toMatchObject({ id: old?.id, revision: old?.revision });
    }
    if (provider === 'google-drive') {
      const moved = drive.state.get(before.get('project/src/a.txt')?.id ?? '');
      expect(moved).toMatchObject({ name: 'a.txt', version: expect.any(Number) });
      expect(moved?.headRevisionId).toBe(before.get('project/src/a.txt')?.revision); // the content was not sent again
    } else {
      expect(dropbox.state.lookup(before.get('project/src/a.txt')?.id ?? '')?.pathDisplay).toMatch(/\/archive\/project-2025\/src\/a\.txt$/);
    }
    await h.expectTrees({ 'archive/project-2025/src/a.txt': 'file a', 'archive/project-2025/src/b.txt': 'file b', 'archive/project-2025/src/c.txt': 'file c' });
    await h.expectConverged();
  });

  it('propagates deletes both ways', async () => {
    const h = await syncPair('local', provider);
    await h.a.write('keep.txt', 'k');
    await h.a.write('old/drop-on-provider.txt', 'x');
    await h.b.write('drop-locally.txt', 'y');
    await h.sync();
    await h.b.delete('old');
    await h.a.delete('drop-locally.txt');
    expect(await h.sync()).toMatchObject({ deleted: 3, failed: 0 }); // the folder, the file in it, and the local one
    await h.expectTrees({ 'keep.txt': 'k' });
    await h.expectConverged();
  });
});

describe('local ↔ dropbox names', () => {
  it('reports names that clash by case on Dropbox and syncs the rest', async () => {
    const h = await syncPair('local', 'dropbox');
    await h.a.write('Report.txt', 'upper');
    await h.a.write('report.txt', 'lower');
    await h.a.write('ends with a dot.', 'dot');
    await h.a.write('fine.txt', 'fine');
    const summary = await h.sync();
    expect(summary.issues).toEqual(
      expect.arrayContaining([
        { path: 'report.txt', side: 'b', problem: expect.stringContaining('clashes with "Report.txt"') },
        { path: 'ends with a dot.', side: 'b', problem: expect.stringContaining('ends with a dot or a space') },
      ]),
    );
    await h.expectTree('b', { 'Report.txt': 'upper', 'fine.txt': 'fine' });
    expect((await h.sync()).deleted).toBe(0);
  });
});
