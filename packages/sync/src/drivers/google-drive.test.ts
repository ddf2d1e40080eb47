/**
 * @module drivers/google-drive.test
 * The Google Drive driver with the real SDK against the Drive emulator:
 * round trips, preconditions, resumable uploads, retries (429 + Retry-After,
 * 503, hangs), token refresh, change tokens, and names Drive allows but a
 * path cannot hold.
 */
import { createHash } from 'node:crypto';
import { startGoogleDriveEmulator, type GoogleDriveEmulator } from '@ferry/emulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ByteStream, DriverEntry } from '../driver.js';
import { GoogleDriveDriver, type GoogleDriveDriverOptions } from './google-drive.js';

let emulator: GoogleDriveEmulator;
let roots = 0;

beforeAll(async () => {
  emulator = await startGoogleDriveEmulator();
});

afterAll(async () => {
  await emulator.close();
});

/** A driver on a fresh folder; `delays` records every backoff it asked for (without waiting). */
function newDriver(overrides: Partial<GoogleDriveDriverOptions> = {}): { driver: GoogleDriveDriver; delays: number[] } {
  const tokens = emulator.issueToken();
  const delays: number[] = [];
  const driver = new GoogleDriveDriver({
    auth: { kind: 'refresh-token', clientId: 'ferry', clientSecret: 'secret', refreshToken: tokens.refreshToken, accessToken: tokens.accessToken, tokenUrl: `${emulator.url}/token` },
    root: { path: `Ferry/test-${++roots}` },
    rootUrl: `${emulator.url}/`,
    ...overrides,
    retry: { sleep: async (ms) => void delays.push(ms), requestTimeoutMs: 2_000, ...overrides.retry },
  });
  return { driver, delays };
}

async function* bytes(content: string | Buffer): ByteStream {
  yield typeof content === 'string' ? Buffer.from(content) : content;
}

async function text(stream: ByteStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('utf8');
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const byPath = (entries: DriverEntry[]): Record<string, DriverEntry> => Object.fromEntries(entries.map((entry) => [entry.path, entry]));

describe('Google Drive driver', () => {
  it('writes, lists, stats, reads, moves and trashes, keeping file ids', async () => {
    const { driver } = newDriver();
    await driver.mkdir('docs/empty');
    const written = await driver.write('docs/plan.txt', bytes('the plan'), { expected: { kind: 'absent' }, mtimeMs: Date.UTC(2025, 0, 2, 3, 4, 5) });
    expect(written).toMatchObject({ path: 'docs/plan.txt', kind: 'file', size: 8, hash: sha256('the plan'), mtimeMs: Date.UTC(2025, 0, 2, 3, 4, 5) });
    const listed = byPath(await driver.list());
    expect(Object.keys(listed).sort()).toEqual(['docs', 'docs/empty', 'docs/plan.txt']);
    expect(listed['docs/plan.txt']).toEqual(written);
    expect(await driver.stat('docs/plan.txt')).toEqual(written);
    expect(await driver.stat('docs/missing.txt')).toBeNull();
    expect(await text(await driver.read('docs/plan.txt'))).toBe('the plan');

    const docs = listed['docs'] as DriverEntry;
    const moved = await driver.move({ path: 'docs', id: docs.id, kind: 'folder' }, 'archive/2025/docs');
    expect(moved.id).toBe(docs.id);
    const after = byPath(await driver.list());
    expect(after['archive/2025/docs/plan.txt']).toMatchObject({ id: written.id, revision: written.revision });
    expect(emulator.state.get(written.id)?.content?.toString()).toBe('the plan');

    await driver.delete({ path: 'archive/2025/docs/plan.txt', id: written.id, kind: 'file', revision: written.revision });
    expect(Object.keys(byPath(await driver.list())).sort()).toEqual(['archive', 'archive/2025', 'archive/2025/docs', 'archive/2025/docs/empty']);
    expect(emulator.state.get(written.id)?.trashed).toBe(true); // in Drive's trash, restorable
    expect(await driver.hash(written)).toBe(sha256('the plan'));
  });

  it('refuses a stale revision, a taken name and a moved entry with precondition_failed', async () => {
    const { driver } = newDriver();
    const first = await driver.write('note.txt', bytes('one'), { expected: { kind: 'absent' } });
    const second = await driver.write('note.txt', bytes('two'), { expected: { kind: 'revision', revision: first.revision } });
    expect(second.id).toBe(first.id);
    expect(second.revision).not.toBe(first.revision);
    await expect(driver.write('note.txt', bytes('three'), { expected: { kind: 'revision', revision: first.revision } })).rejects.toMatchObject({ code: 'precondition_failed' });
    await expect(driver.write('note.txt', bytes('four'), { expected: { kind: 'absent' } })).rejects.toMatchObject({ code: 'precondition_failed' });
    await expect(driver.delete({ path: 'note.txt', id: first.id, kind: 'file', revision: first.revision })).rejects.toMatchObject({ code: 'precondition_failed' });
    expect(await text(await driver.read('note.txt'))).toBe('two');
  });

  it('uploads a file above the threshold through a resumable session, resuming after a failed chunk', async () => {
    const { driver, delays } = newDriver({ resumableThreshold: 256 * 1024, chunkSize: 256 * 1024 });
    const big = Buffer.alloc(700_000, Uint8Array.from({ length: 253 }, (_, index) => index));
    emulator.faults.push({ match: { method: 'PUT', path: '/upload/drive/v3/files' }, status: 503 });
    const written = await driver.write('big/archive.bin', bytes(big), { expected: { kind: 'absent' } });
    expect(written).toMatchObject({ size: big.length, hash: sha256(big) });
    expect(delays).toHaveLength(1);
    const replaced = Buffer.alloc(600_000, 9);
    const again = await driver.write('big/archive.bin', bytes(replaced), { expected: { kind: 'revision', revision: written.revision } });
    expect(again).toMatchObject({ id: written.id, size: replaced.length, hash: sha256(replaced) });
    expect(Buffer.compare(emulator.state.get(written.id)?.content ?? Buffer.alloc(0), replaced)).toBe(0);
  });

  it('retries 429 with Retry-After, 503 and a hanging request, then succeeds', async () => {
    const { driver, delays } = newDriver({ retry: { requestTimeoutMs: 300 } });
    await driver.write('a.txt', bytes('a'), { expected: { kind: 'absent' } });
    expect(delays).toEqual([]);
    emulator.faults.push({ match: { method: 'GET', path: '/drive/v3/files' }, status: 429, retryAfter: 3 });
    emulator.faults.push({ match: { method: 'GET', path: '/drive/v3/files' }, status: 503 });
    emulator.faults.push({ match: { method: 'GET', path: '/drive/v3/files' }, hang: true });
    const listed = await driver.list();
    expect(listed.map((entry) => entry.path)).toEqual(['a.txt']);
    expect(delays).toHaveLength(3);
    expect(delays[0]).toBeGreaterThanOrEqual(3_000); // Retry-After honoured
  });

  it('gives up on a persistent fault with a clear unavailable or rate_limited error', async () => {
    const { driver, delays } = newDriver({ retry: { maxAttempts: 4 } });
    await driver.mkdir('x');
    emulator.faults.push({ match: { method: 'GET', path: '/drive/v3/files' }, status: 503, times: 4 });
    await expect(driver.list()).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/Google Drive files\.list failed 4 times/) });
    expect(delays).toHaveLength(3);
    emulator.faults.push({ match: { method: 'GET', path: '/drive/v3/files' }, status: 429, retryAfter: 600, times: 1 });
    await expect(driver.list()).rejects.toMatchObject({ code: 'rate_limited', message: expect.stringContaining('asks to wait 600 s') });
    emulator.faults.clear();
  });

  it('refreshes an expired access token through the token endpoint, for API calls and uploads', async () => {
    const { driver } = newDriver();
    await driver.mkdir('before');
    emulator.expireTokens();
    await driver.write('after.txt', bytes('still signed in'), { expected: { kind: 'absent' } });
    emulator.expireTokens();
    expect((await driver.list()).map((entry) => entry.path).sort()).toEqual(['after.txt', 'before']);
  });

  it('asks a token provider for a fresh token when Drive refuses the current one', async () => {
    const requests: boolean[] = [];
    const getAccessToken = async ({ forceRefresh }: { forceRefresh: boolean }): Promise<string> => {
      requests.push(forceRefresh);
      return emulator.issueToken().accessToken;
    };
    const { driver } = newDriver({ auth: { kind: 'token-provider', getAccessToken } });
    await driver.mkdir('first');
    emulator.expireTokens();
    await driver.write('second.txt', bytes('after the refusal'), { expected: { kind: 'absent' } });
    expect(requests).toEqual([false, true]);
  });

  it('fails with unauthenticated when the refresh token was revoked', async () => {
    const { driver } = newDriver({ auth: { kind: 'refresh-token', clientId: 'ferry', refreshToken: 'revoked', tokenUrl: `${emulator.url}/token` } });
    await expect(driver.list()).rejects.toMatchObject({ code: 'unauthenticated', message: expect.stringContaining('reconnect') });
  });

  it('follows changes with page tokens, mapping ids to paths, and reports an expired token', async () => {
    const { driver } = newDriver();
    const note = await driver.write('notes/a.txt', bytes('a'), { expected: { kind: 'absent' } });
    await driver.list();
    const start = await driver.changes(null);
    if (start.kind !== 'changes') throw new Error('expected a cursor');
    await driver.write('notes/b.txt', bytes('b'), { expected: { kind: 'absent' } });
    await driver.move({ path: 'notes/a.txt', id: note.id, kind: 'file' }, 'a-renamed.txt');
    const changed = await driver.changes(start.cursor);
    if (changed.kind !== 'changes') throw new Error('expected changes');
    expect(changed.changes).toEqual(
      expect.arrayContaining([
        { path: 'notes/b.txt', id: expect.any(String), removed: false },
        { path: 'a-renamed.txt', id: note.id, removed: false },
      ]),
    );
    expect(await driver.changes(changed.cursor)).toEqual({ kind: 'changes', changes: [], cursor: changed.cursor });
    emulator.expireCursors();
    expect(await driver.changes(changed.cursor)).toEqual({ kind: 'expired' });
  });

  it('creates whose answers are lost after Drive made them (a file, a folder, a resumable upload) are sent again with their reserved ids: one of each, not two', async () => {
    const { driver, delays } = newDriver({ resumableThreshold: 256 * 1024, chunkSize: 256 * 1024 });
    await driver.list(); // the replica's root folder exists before the faults are set
    const lostAnswer = (method: string, path: string): void => emulator.faults.push({ match: { method, path }, resetAfter: true });
    lostAnswer('POST', '/drive/v3/files'); // the folder "inbox"
    lostAnswer('POST', '/upload/drive/v3/files'); // the small file's multipart create
    const small = await driver.write('inbox/note.txt', bytes('a note'), { expected: { kind: 'absent' } });
    const big = Buffer.alloc(300_000, 5);
    lostAnswer('PUT', '/upload/drive/v3/files'); // the resumable upload's first chunk...
    lostAnswer('PUT', '/upload/drive/v3/files'); // ...and its last, which makes the file
    const large = await driver.write('inbox/scan.bin', bytes(big), { expected: { kind: 'absent' } });
    expect(delays.length).toBeGreaterThanOrEqual(4);
    const inbox = emulator.state.get(small.id)?.parents[0] ?? '';
    const files = emulator.state.all().filter((file) => file.id === inbox || file.parents.includes(inbox));
    expect(files.map((file) => file.name).sort()).toEqual(['inbox', 'note.txt', 'scan.bin']);
    expect(files.map((file) => file.id).sort()).toEqual([inbox, small.id, large.id].sort());
    expect(Object.keys(byPath(await driver.list())).sort()).toEqual(['inbox', 'inbox/note.txt', 'inbox/scan.bin']);
    expect(large).toMatchObject({ size: big.length, hash: sha256(big) });
    expect(await text(await driver.read('inbox/note.txt'))).toBe('a note');
  });

  it('reports two entries with the same name in one folder instead of picking one', async () => {
    const { driver } = newDriver();
    const first = await driver.write('report.pdf', bytes('one'), { expected: { kind: 'absent' } });
    const parent = emulator.state.get(first.id)?.parents[0] ?? '';
    const twin = emulator.state.create({ name: 'report.pdf', parents: [parent], content: Buffer.from('two') });
    const failure = driver.list();
    await expect(failure).rejects.toMatchObject({ code: 'name_conflict', details: { duplicates: [{ path: 'report.pdf', ids: [first.id, twin.id] }] } });
    await expect(driver.stat('report.pdf')).rejects.toMatchObject({ code: 'name_conflict' });
  });
});
