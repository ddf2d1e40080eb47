/**
 * @module dropbox/dropbox-emulator.test
 * The real `dropbox` SDK against the Dropbox emulator: folders, small and
 * session uploads, listing with continue, longpoll, moves keeping ids,
 * deletes, downloads with content_hash, conflicts, cursor resets and 429s.
 */
import { Dropbox, DropboxResponseError } from 'dropbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropboxContentHash } from './content-hash.js';
import { startDropboxEmulator, type DropboxEmulator } from './dropbox-emulator.js';
import { dropboxSdkFetch } from './dropbox-sdk-fetch.js';

let emulator: DropboxEmulator;
let dbx: Dropbox;

beforeAll(async () => {
  emulator = await startDropboxEmulator();
  const { accessToken } = emulator.issueToken();
  dbx = new Dropbox({ accessToken, domain: emulator.domain, domainDelimiter: '', fetch: dropboxSdkFetch() });
});

afterAll(async () => {
  await emulator.close();
});

/** The DropboxResponseError an SDK call fails with. */
async function failure(call: Promise<unknown>): Promise<DropboxResponseError<{ error_summary: string; error: Record<string, unknown> }>> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DropboxResponseError);
  return error as DropboxResponseError<{ error_summary: string; error: Record<string, unknown> }>;
}

describe('Dropbox emulator with the real SDK', () => {
  it('creates folders, uploads small files, and lists with a small limit and continue', async () => {
    const folder = await dbx.filesCreateFolderV2({ path: '/Team/Docs' });
    expect(folder.result.metadata).toMatchObject({ name: 'Docs', path_lower: '/team/docs', path_display: '/Team/Docs' });
    expect(folder.result.metadata.id).toMatch(/^id:/);
    for (const name of ['a.txt', 'B.txt', 'c.txt', 'd.txt', 'e.txt']) {
      const uploaded = await dbx.filesUpload({ path: `/Team/Docs/${name}`, contents: `content of ${name}` });
      expect(uploaded.result).toMatchObject({ name, size: `content of ${name}`.length, content_hash: dropboxContentHash(Buffer.from(`content of ${name}`)) });
    }
    const names: string[] = [];
    let page = await dbx.filesListFolder({ path: '/team/docs', limit: 2 });
    names.push(...page.result.entries.map((entry) => entry.name));
    let calls = 1;
    while (page.result.has_more) {
      page = await dbx.filesListFolderContinue({ cursor: page.result.cursor });
      names.push(...page.result.entries.map((entry) => entry.name));
      calls += 1;
    }
    expect(names).toEqual(['a.txt', 'B.txt', 'c.txt', 'd.txt', 'e.txt']);
    expect(calls).toBe(3);

    const missing = await failure(dbx.filesGetMetadata({ path: '/Team/nothing-here' }));
    expect(missing.status).toBe(409);
    expect(missing.error.error_summary).toMatch(/^path\/not_found\//);
    expect(missing.error.error).toEqual({ '.tag': 'path', path: { '.tag': 'not_found' } });

    const malformed = await failure(dbx.filesListFolder({ path: 'Team' }));
    expect(malformed.status).toBe(400);
    expect(String(malformed.error)).toContain('files/list_folder');
  });

  it('uploads more than 8 MiB through an upload session and downloads it with the right content_hash and Range', async () => {
    const chunk = 4 * 1024 * 1024;
    const content = Buffer.alloc(2 * chunk + 1_000_000, Uint8Array.from({ length: 256 }, (_, index) => (index * 7) % 256));
    const started = await dbx.filesUploadSessionStart({ contents: content.subarray(0, chunk) });
    const sessionId = started.result.session_id;
    await dbx.filesUploadSessionAppendV2({ cursor: { session_id: sessionId, offset: chunk }, contents: content.subarray(chunk, 2 * chunk) });
    const wrongOffset = await failure(
      dbx.filesUploadSessionAppendV2({ cursor: { session_id: sessionId, offset: chunk }, contents: Buffer.from('x') }),
    );
    expect(wrongOffset.error.error).toEqual({ '.tag': 'incorrect_offset', correct_offset: 2 * chunk });
    const finished = await dbx.filesUploadSessionFinish({
      cursor: { session_id: sessionId, offset: 2 * chunk },
      commit: { path: '/Big/archive.bin', mode: { '.tag': 'add' } },
      contents: content.subarray(2 * chunk),
    });
    expect(finished.result).toMatchObject({ path_display: '/Big/archive.bin', size: content.length, content_hash: dropboxContentHash(content) });

    const downloaded = await dbx.filesDownload({ path: '/big/ARCHIVE.bin' });
    const { fileBinary } = downloaded.result as typeof downloaded.result & { fileBinary: Buffer };
    expect(Buffer.compare(fileBinary, content)).toBe(0);
    expect(downloaded.result.content_hash).toBe(dropboxContentHash(fileBinary));

    const ranged = await fetch(`${emulator.url}/2/files/download`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.issueToken().accessToken}`, 'dropbox-api-arg': JSON.stringify({ path: '/Big/archive.bin' }), range: 'bytes=10-19' },
    });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(content.subarray(10, 20));
  });

  it('wakes a longpoll on a change, then continue shows moves (same id) and deletes', async () => {
    await dbx.filesCreateFolderV2({ path: '/Watch' });
    const original = await dbx.filesUpload({ path: '/Watch/plan.txt', contents: 'v1' });
    const latest = await dbx.filesListFolderGetLatestCursor({ path: '/Watch', recursive: true });
    const quiet = await dbx.filesListFolderContinue({ cursor: latest.result.cursor });
    expect(quiet.result.entries).toEqual([]);

    const poll = dbx.filesListFolderLongpoll({ cursor: latest.result.cursor, timeout: 30 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const moved = await dbx.filesMoveV2({ from_path: '/Watch/plan.txt', to_path: '/Watch/Archive/Plan-final.txt' });
    expect((await poll).result.changes).toBe(true);
    expect(moved.result.metadata).toMatchObject({ '.tag': 'file', id: original.result.id, path_display: '/Watch/Archive/Plan-final.txt' });
    await dbx.filesDeleteV2({ path: '/Watch/Archive/Plan-final.txt' });

    const changes = await dbx.filesListFolderContinue({ cursor: latest.result.cursor });
    const byPath = new Map(changes.result.entries.map((entry) => [entry.path_lower, entry['.tag']]));
    expect(byPath.get('/watch/plan.txt')).toBe('deleted');
    expect(byPath.get('/watch/archive')).toBe('folder');
    expect(byPath.get('/watch/archive/plan-final.txt')).toBe('deleted');
    const gone = await failure(dbx.filesDeleteV2({ path: '/Watch/Archive/Plan-final.txt' }));
    expect(gone.error.error_summary).toMatch(/^path_lookup\/not_found\//);
  });

  it('reports write conflicts: update with a stale rev, add onto a different file, and autorename', async () => {
    const first = await dbx.filesUpload({ path: '/Conflicts/note.txt', contents: 'one' });
    const second = await dbx.filesUpload({ path: '/Conflicts/note.txt', contents: 'two', mode: { '.tag': 'update', update: first.result.rev } });
    expect(second.result.rev).not.toBe(first.result.rev);
    const stale = await failure(dbx.filesUpload({ path: '/Conflicts/note.txt', contents: 'three', mode: { '.tag': 'update', update: first.result.rev } }));
    expect(stale.status).toBe(409);
    expect(stale.error.error_summary).toMatch(/^path\/conflict\/file\//);
    const added = await failure(dbx.filesUpload({ path: '/Conflicts/NOTE.txt', contents: 'four' }));
    expect(added.error.error_summary).toMatch(/^path\/conflict\/file\//);
    const renamed = await dbx.filesUpload({ path: '/Conflicts/note.txt', contents: 'five', autorename: true });
    expect(renamed.result.path_display).toBe('/Conflicts/note (1).txt');
    const folderClash = await failure(dbx.filesCreateFolderV2({ path: '/conflicts' }));
    expect(folderClash.error.error_summary).toMatch(/^path\/conflict\/folder\//);
  });

  it('answers expired cursors with reset, bad tokens with 401 and rate limits with 429 + Retry-After', async () => {
    const listing = await dbx.filesListFolder({ path: '' });
    emulator.expireCursors();
    const reset = await failure(dbx.filesListFolderContinue({ cursor: listing.result.cursor }));
    expect(reset.status).toBe(409);
    expect(reset.error.error).toEqual({ '.tag': 'reset' });

    emulator.faults.push({ match: { path: '/2/files/list_folder' }, status: 429, retryAfter: 3, times: 1 });
    const limited = await failure(dbx.filesListFolder({ path: '' }));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(limited.error).toEqual({ error_summary: 'too_many_requests/...', error: { reason: { '.tag': 'too_many_requests' }, retry_after: 3 } });
    await expect(dbx.filesListFolder({ path: '' })).resolves.toMatchObject({ status: 200 });

    emulator.expireTokens();
    const expired = await failure(dbx.usersGetCurrentAccount());
    expect(expired.status).toBe(401);
    expect(expired.error.error).toEqual({ '.tag': 'expired_access_token' });
    const stranger = new Dropbox({ accessToken: 'not-a-token', domain: emulator.domain, domainDelimiter: '', fetch: dropboxSdkFetch() });
    const invalid = await failure(stranger.usersGetCurrentAccount());
    expect(invalid.error.error_summary).toMatch(/^invalid_access_token\//);

    const fresh = new Dropbox({ accessToken: emulator.issueToken().accessToken, domain: emulator.domain, domainDelimiter: '', fetch: dropboxSdkFetch() });
    const account = await fresh.usersGetCurrentAccount();
    expect(account.result).toMatchObject({ email: 'user@example.com', account_id: expect.stringMatching(/^dbid:/) });
  });
});
