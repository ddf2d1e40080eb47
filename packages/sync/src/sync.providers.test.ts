/**
 * @module sync.providers.test
 * The engine between a local folder and Google Drive / Dropbox (the real
 * SDKs against the emulators): every concern's stories (testing/stories),
 * then what only a provider shows — a renamed folder keeps its file ids and
 * nothing is uploaded again (checked in the emulator's own state).
 *
 * The provider replica kinds come from `registerProviderReplicaKinds`; what a
 * user does "on the provider" goes through a second driver instance, as
 * another client would.
 */
import { startDropboxEmulator, startGoogleDriveEmulator, type DropboxEmulator, type GoogleDriveEmulator } from '@ferry/emulators';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeAllPairs, syncPair } from './testing/harness.js';
import { registerProviderReplicaKinds } from './testing/provider-replicas.js';
import { allStories } from './testing/stories/index.js';

let drive: GoogleDriveEmulator;
let dropbox: DropboxEmulator;

beforeAll(async () => {
  [drive, dropbox] = await Promise.all([startGoogleDriveEmulator(), startDropboxEmulator()]);
  registerProviderReplicaKinds({ googleDrive: drive, dropbox });
});

afterEach(closeAllPairs);

afterAll(async () => {
  await Promise.all([drive.close(), dropbox.close()]);
});

allStories({ a: 'local', b: 'google-drive', manyFiles: 40 }, 'b');
allStories({ a: 'local', b: 'dropbox', manyFiles: 40 }, 'b');

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
