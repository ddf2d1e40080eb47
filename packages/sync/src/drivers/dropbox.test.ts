/**
 * @module drivers/dropbox.test
 * The Dropbox driver with the real SDK against the Dropbox emulator: round
 * trips, rev preconditions, upload sessions, retries (429 + Retry-After,
 * 503), token refresh, cursors (and `reset`), names Dropbox refuses, and
 * hashes known without downloads.
 */
import { createHash } from 'node:crypto';
import { dropboxSdkFetch, startDropboxEmulator, type DropboxEmulator } from '@ferry/emulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ByteStream, DriverEntry } from '../driver.js';
import { DropboxDriver, type DropboxDriverOptions } from './dropbox.js';

let emulator: DropboxEmulator;
let roots = 0;

beforeAll(async () => {
  emulator = await startDropboxEmulator();
});

afterAll(async () => {
  await emulator.close();
});

/** A driver on a fresh folder; `delays` records every backoff it asked for (without waiting). */
function newDriver(overrides: Partial<DropboxDriverOptions> = {}): { driver: DropboxDriver; delays: number[]; root: string } {
  const tokens = emulator.issueToken();
  const delays: number[] = [];
  const root = `/Ferry/test-${++roots}`;
  const driver = new DropboxDriver({
    auth: { kind: 'refresh-token', clientId: 'ferry', clientSecret: 'secret', refreshToken: tokens.refreshToken, accessToken: tokens.accessToken, tokenUrl: `${emulator.url}/oauth2/token` },
    root,
    domain: emulator.domain,
    domainDelimiter: '',
    fetch: dropboxSdkFetch(),
    ...overrides,
    retry: { sleep: async (ms) => void delays.push(ms), requestTimeoutMs: 2_000, ...overrides.retry },
  });
  return { driver, delays, root };
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

describe('Dropbox driver', () => {
  it('writes, lists, stats, reads, moves and deletes, keeping ids', async () => {
    const { driver, root } = newDriver();
    await driver.mkdir('Docs/Empty');
    const written = await driver.write('Docs/Plan.txt', bytes('the plan'), { expected: { kind: 'absent' }, mtimeMs: Date.UTC(2025, 0, 2, 3, 4, 5) });
    expect(written).toMatchObject({ path: 'Docs/Plan.txt', kind: 'file', size: 8, id: expect.stringMatching(/^id:/), hash: sha256('the plan'), mtimeMs: Date.UTC(2025, 0, 2, 3, 4, 5) });
    const listed = byPath(await driver.list());
    expect(Object.keys(listed).sort()).toEqual(['Docs', 'Docs/Empty', 'Docs/Plan.txt']);
    expect(listed['Docs/Plan.txt']).toEqual(written);
    expect(await driver.stat('docs/plan.txt')).toMatchObject({ path: 'docs/Plan.txt', id: written.id });
    expect(await driver.stat('Docs/missing.txt')).toBeNull();
    expect(await text(await driver.read('Docs/Plan.txt'))).toBe('the plan');

    const docs = listed['Docs'] as DriverEntry;
    const moved = await driver.move({ path: 'Docs', id: docs.id, kind: 'folder' }, 'Archive/2025/Docs');
    expect(moved.id).toBe(docs.id);
    expect(byPath(await driver.list())['Archive/2025/Docs/Plan.txt']).toMatchObject({ id: written.id, revision: written.revision });
    const renamed = await driver.move({ path: 'Archive/2025/Docs/Plan.txt', id: written.id, kind: 'file' }, 'Archive/2025/Docs/PLAN.txt');
    expect(renamed).toMatchObject({ id: written.id, path: 'Archive/2025/Docs/PLAN.txt' });
    expect(emulator.state.lookup(`${root}/archive/2025/docs/plan.txt`)?.pathDisplay).toBe(`${root}/Archive/2025/Docs/PLAN.txt`);

    await driver.delete({ path: 'Archive/2025/Docs/PLAN.txt', id: written.id, kind: 'file', revision: written.revision });
    expect(Object.keys(byPath(await driver.list())).sort()).toEqual(['Archive', 'Archive/2025', 'Archive/2025/Docs', 'Archive/2025/Docs/Empty']);
  });

  it('checks the rev on replace and refuses an existing target on add with precondition_failed', async () => {
    const { driver } = newDriver();
    const first = await driver.write('note.txt', bytes('one'), { expected: { kind: 'absent' } });
    const second = await driver.write('note.txt', bytes('two'), { expected: { kind: 'revision', revision: first.revision } });
    expect(second.id).toBe(first.id);
    await expect(driver.write('note.txt', bytes('three'), { expected: { kind: 'revision', revision: first.revision } })).rejects.toMatchObject({ code: 'precondition_failed' });
    await expect(driver.write('NOTE.txt', bytes('four'), { expected: { kind: 'absent' } })).rejects.toMatchObject({ code: 'precondition_failed' });
    await expect(driver.delete({ path: 'note.txt', id: first.id, kind: 'file', revision: first.revision })).rejects.toMatchObject({ code: 'precondition_failed' });
    expect(await text(await driver.read('note.txt'))).toBe('two');
  });

  it('uploads a file above the threshold through an upload session, retrying a failed append', async () => {
    const { driver, delays, root } = newDriver({ sessionThreshold: 256 * 1024, chunkSize: 200 * 1024 });
    const big = Buffer.alloc(700_000, Uint8Array.from({ length: 253 }, (_, index) => index));
    emulator.faults.push({ match: { path: '/2/files/upload_session/append_v2' }, status: 503 });
    const written = await driver.write('big/archive.bin', bytes(big), { expected: { kind: 'absent' } });
    expect(written).toMatchObject({ size: big.length, hash: sha256(big) });
    expect(delays).toHaveLength(1);
    expect(Buffer.compare(emulator.state.lookup(`${root}/big/archive.bin`)?.content ?? Buffer.alloc(0), big)).toBe(0);
    const replaced = Buffer.alloc(500_000, 9);
    const again = await driver.write('big/archive.bin', bytes(replaced), { expected: { kind: 'revision', revision: written.revision } });
    expect(again).toMatchObject({ id: written.id, size: replaced.length, hash: sha256(replaced) });
    await expect(driver.write('big/archive.bin', bytes(replaced), { expected: { kind: 'revision', revision: written.revision } })).rejects.toMatchObject({ code: 'precondition_failed' });
  });

  it('retries 429 with Retry-After, 503 and a hanging request, then succeeds; a persistent fault ends in a clear error', async () => {
    const { driver, delays } = newDriver({ retry: { maxAttempts: 4, requestTimeoutMs: 300 } });
    await driver.write('a.txt', bytes('a'), { expected: { kind: 'absent' } });
    emulator.faults.push({ match: { path: '/2/files/list_folder' }, status: 429, retryAfter: 4 });
    emulator.faults.push({ match: { path: '/2/files/list_folder' }, status: 503 });
    emulator.faults.push({ match: { path: '/2/files/list_folder' }, hang: true });
    expect((await driver.list()).map((entry) => entry.path)).toEqual(['a.txt']);
    expect(delays).toHaveLength(3);
    expect(delays[0]).toBeGreaterThanOrEqual(4_000); // Retry-After honoured

    emulator.faults.push({ match: { path: '/2/files/list_folder' }, status: 503, times: 4 });
    await expect(driver.list()).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/Dropbox files\/list_folder failed 4 times/) });
    emulator.faults.push({ match: { path: '/2/files/download' }, status: 429, retryAfter: 1, times: 4 });
    await expect(driver.read('a.txt')).rejects.toMatchObject({ code: 'rate_limited' });
  });

  it('refreshes an expired access token through the token endpoint; a static token fails clearly', async () => {
    const { driver } = newDriver();
    await driver.mkdir('before');
    emulator.expireTokens();
    await driver.write('after.txt', bytes('still signed in'), { expected: { kind: 'absent' } });
    expect((await driver.list()).map((entry) => entry.path).sort()).toEqual(['after.txt', 'before']);

    const fixed = newDriver({ auth: { kind: 'access-token', accessToken: emulator.issueToken().accessToken } }).driver;
    await fixed.mkdir('x');
    emulator.expireTokens();
    await expect(fixed.list()).rejects.toMatchObject({ code: 'unauthenticated', message: expect.stringContaining('reconnect') });
  });

  it('follows list_folder cursors and answers a reset cursor with expired', async () => {
    const { driver } = newDriver();
    const note = await driver.write('notes/a.txt', bytes('a'), { expected: { kind: 'absent' } });
    const start = await driver.changes(null);
    if (start.kind !== 'changes') throw new Error('expected a cursor');
    const poll = driver.waitForChanges(start.cursor, 30);
    await driver.write('notes/b.txt', bytes('b'), { expected: { kind: 'absent' } });
    expect((await poll).changed).toBe(true);
    await driver.move({ path: 'notes/a.txt', id: note.id, kind: 'file' }, 'a-renamed.txt');
    await driver.delete({ path: 'notes/b.txt', id: (await driver.stat('notes/b.txt'))?.id ?? '', kind: 'file' });
    const changed = await driver.changes(start.cursor);
    if (changed.kind !== 'changes') throw new Error('expected changes');
    expect(changed.changes).toEqual(
      expect.arrayContaining([
        { path: 'notes/a.txt', id: null, removed: true },
        { path: 'a-renamed.txt', id: note.id, removed: false },
        { path: 'notes/b.txt', id: null, removed: true },
      ]),
    );
    expect(await driver.changes(changed.cursor)).toEqual({ kind: 'changes', changes: [], cursor: expect.any(String) });
    emulator.expireCursors();
    expect(await driver.changes(changed.cursor)).toEqual({ kind: 'expired' });
  });

  it('refuses names Dropbox cannot hold and hashes known contents without downloading', async () => {
    const { driver, root } = newDriver();
    await expect(driver.write('trailing ', bytes('x'), { expected: { kind: 'absent' } })).rejects.toMatchObject({ code: 'invalid_name' });
    await expect(driver.mkdir('back\\slash')).rejects.toMatchObject({ code: 'invalid_name' });
    emulator.state.commitFile({ path: `${root}/from-elsewhere.txt`, mode: { kind: 'add' }, autorename: false, strictConflict: false }, Buffer.from('made on the web'));
    const [entry] = await driver.list();
    expect(entry).toMatchObject({ path: 'from-elsewhere.txt', hash: null });
    emulator.faults.push({ match: { path: '/2/files/download' }, status: 400, times: 1 });
    await expect(driver.hash(entry as DriverEntry)).rejects.toMatchObject({ code: 'bad_request' }); // needs a download: never seen
    expect(await driver.hash(entry as DriverEntry)).toBe(sha256('made on the web'));
    const [again] = await driver.list();
    expect(again?.hash).toBe(sha256('made on the web')); // now known from its content_hash
  });
});
