import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { BatchUploadResult, FerryEvent, FerryNode } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../testing/index.js';
import { errorCode, filesUnder, json, mkdir, upload } from './file-test-kit.js';

const hex = (data: string) => createHash('sha256').update(data).digest('hex');

interface BatchFile {
  name: string;
  content: string;
  sha256?: string;
  ifMatch?: string;
  ifNoneMatch?: '*';
  /** Sent in the manifest instead of the content's length. */
  size?: number;
}

function batchForm(files: readonly BatchFile[]): FormData {
  const form = new FormData();
  const manifest = files.map(({ name, content, sha256, ifMatch, ifNoneMatch, size }) => ({
    name,
    size: size ?? Buffer.byteLength(content),
    ...(sha256 ? { sha256 } : {}),
    ...(ifMatch ? { ifMatch } : {}),
    ...(ifNoneMatch ? { ifNoneMatch } : {}),
  }));
  form.append('manifest', JSON.stringify({ files: manifest }));
  for (const file of files) form.append('file', new Blob([file.content]), file.name);
  return form;
}

describe('batch upload: many files into a folder with one request', () => {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let root: string;
  beforeAll(async () => {
    server = await startTestServer({ maxUploadBytes: 1000 });
    alice = await server.newUser();
    bob = await server.newUser();
    root = alice.workspace.rootFolderId;
  });
  afterAll(async () => {
    await server.close();
  });

  const send = (user: TestUser, folderId: string, body: FormData | string, headers: Record<string, string> = {}) =>
    user.api(`/api/v1/nodes/${folderId}/files`, { method: 'POST', body, headers });
  const tempFiles = () => filesUnder(join(server.dataDir, 'tmp'));
  const listNames = async (folderId: string) =>
    (await json<{ items: FerryNode[] }>(await alice.api(`/api/v1/nodes/${folderId}/children?limit=1000`))).items.map((node) => node.name).sort();

  it('writes every file, answers each entry in order, and feeds one event per file', async () => {
    const folder = await mkdir(alice, root, 'batch-basic');
    const before = (await json<{ events: FerryEvent[]; nextCursor: string }>(await alice.api('/api/v1/events?limit=1000'))).nextCursor;
    const files = Array.from({ length: 30 }, (_, index) => ({ name: `f${index}.txt`, content: `content of file ${index}` }));
    const response = await send(alice, folder.id, batchForm(files));
    expect(response.status).toBe(200);
    const result = await json<BatchUploadResult>(response);
    expect(result.entries.map((entry) => entry.name)).toEqual(files.map((file) => file.name));
    for (const [index, entry] of result.entries.entries()) {
      expect(entry.error).toBeUndefined();
      expect(entry.created).toBe(true);
      expect(entry.node).toMatchObject({ name: `f${index}.txt`, parentId: folder.id, path: `/batch-basic/f${index}.txt`, sha256: hex(`content of file ${index}`) });
    }
    const download = await alice.api(`/api/v1/nodes/${result.entries[7]?.node?.id ?? ''}/content`);
    expect(await download.text()).toBe('content of file 7');

    const { events } = await json<{ events: FerryEvent[] }>(await alice.api(`/api/v1/events?cursor=${before}&limit=1000`));
    const created = events.filter((event) => event.type === 'file.created' && event.node?.parentId === folder.id);
    expect(created.map((event) => event.node?.name)).toEqual(files.map((file) => file.name));
    const seqs = events.map((event) => event.seq);
    expect(seqs).toEqual(seqs.map((_, index) => (seqs[0] ?? 0) + index));
    expect(tempFiles()).toEqual([]);
  });

  it('adds a version to an existing file and honours per-entry preconditions, without stopping the others', async () => {
    const folder = await mkdir(alice, root, 'batch-versions');
    const existing = await upload(alice, folder.id, 'keep.txt', 'first');
    await mkdir(alice, folder.id, 'a-folder');
    const response = await send(
      alice,
      folder.id,
      batchForm([
        { name: 'keep.txt', content: 'second', ifMatch: existing.versionId },
        { name: 'new.txt', content: 'new' },
        { name: 'a-folder', content: 'clash' },
        { name: 'only-new.txt', content: 'n', ifNoneMatch: '*' },
        { name: 'stale.txt', content: 's', ifMatch: existing.versionId },
        { name: 'bad-digest.txt', content: 'real', sha256: hex('other') },
      ]),
    );
    expect(response.status).toBe(200);
    const { entries } = await json<BatchUploadResult>(response);
    expect(entries[0]).toMatchObject({ name: 'keep.txt', created: false, node: { id: existing.id, sha256: hex('second') } });
    expect(entries[1]).toMatchObject({ name: 'new.txt', created: true });
    expect(entries[2]?.error?.code).toBe('name_conflict');
    expect(entries[3]).toMatchObject({ name: 'only-new.txt', created: true });
    expect(entries[4]?.error?.code).toBe('precondition_failed');
    expect(entries[5]?.error?.code).toBe('digest_mismatch');
    expect(await listNames(folder.id)).toEqual(['a-folder', 'keep.txt', 'new.txt', 'only-new.txt']);
    const versions = await json<{ items: unknown[] }>(await alice.api(`/api/v1/nodes/${existing.id}/versions`));
    expect(versions.items).toHaveLength(2);
    expect(tempFiles()).toEqual([]);
  });

  it('refuses a bad manifest before storing anything: duplicate names, bad names, over the limit, parts out of order', async () => {
    const folder = await mkdir(alice, root, 'batch-bad');
    const cases: [FormData, string][] = [
      [batchForm([{ name: 'a.txt', content: '1' }, { name: 'A.TXT', content: '2' }]), 'bad_request'],
      [batchForm([{ name: 'x/y.txt', content: '1' }]), 'invalid_name'],
      [batchForm([{ name: 'big.bin', content: 'x'.repeat(1001) }]), 'payload_too_large'],
      [batchForm([{ name: 'short.txt', content: 'abc', size: 5 }]), 'bad_request'],
      [batchForm([{ name: 'long.txt', content: 'abcdef', size: 2 }]), 'bad_request'],
    ];
    const filesFirst = new FormData();
    filesFirst.append('file', new Blob(['x']), 'x.txt');
    filesFirst.append('manifest', JSON.stringify({ files: [{ name: 'x.txt', size: 1 }] }));
    cases.push([filesFirst, 'bad_request']);
    const wrongName = new FormData();
    wrongName.append('manifest', JSON.stringify({ files: [{ name: 'x.txt', size: 1 }] }));
    wrongName.append('file', new Blob(['x']), 'y.txt');
    cases.push([wrongName, 'bad_request']);
    const missing = new FormData();
    missing.append('manifest', JSON.stringify({ files: [{ name: 'x.txt', size: 1 }, { name: 'z.txt', size: 1 }] }));
    missing.append('file', new Blob(['x']), 'x.txt');
    cases.push([missing, 'bad_request']);
    const notJson = new FormData();
    notJson.append('manifest', '{nope');
    cases.push([notJson, 'bad_request']);
    const empty = new FormData();
    empty.append('manifest', JSON.stringify({ files: [] }));
    cases.push([empty, 'validation_failed']);

    for (const [form, code] of cases) {
      const response = await send(alice, folder.id, form);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(await errorCode(response)).toBe(code);
    }
    const notMultipart = await send(alice, folder.id, 'plain text', { 'content-type': 'text/plain' });
    expect(await errorCode(notMultipart)).toBe('bad_request');
    expect(await listNames(folder.id)).toEqual([]);
    expect(tempFiles()).toEqual([]);
  });

  it('takes 1,000 files in one batch and refuses 1,001', async () => {
    const folder = await mkdir(alice, root, 'batch-limit');
    const files = (count: number) => Array.from({ length: count }, (_, index) => ({ name: `n${index}.txt`, content: `${index}` }));
    const full = await send(alice, folder.id, batchForm(files(1000)));
    expect(full.status).toBe(200);
    expect((await json<BatchUploadResult>(full)).entries.filter((entry) => entry.node)).toHaveLength(1000);
    const over = await send(alice, folder.id, batchForm(files(1001)));
    expect(over.status).toBe(400);
    expect(await errorCode(over)).toBe('validation_failed');
    // The refused body was drained: the client's kept-alive connections carry the next requests.
    expect(await listNames(folder.id)).toHaveLength(1000);
    expect((await mkdir(alice, folder.id, 'after-refusal')).name).toBe('after-refusal');
  });

  it('stores nothing when the body is cut off in the middle of a part', async () => {
    const folder = await mkdir(alice, root, 'batch-cut');
    const boundary = 'cut-boundary';
    const manifest = JSON.stringify({ files: [{ name: 'one.txt', size: 3 }, { name: 'two.txt', size: 400 }] });
    const head = [
      `--${boundary}\r\ncontent-disposition: form-data; name="manifest"\r\n\r\n${manifest}\r\n`,
      `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="one.txt"\r\n\r\none\r\n`,
      `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="two.txt"\r\n\r\n${'t'.repeat(100)}`,
    ].join('');
    await new Promise<void>((resolve) => {
      const request = httpRequest(`${server.url}/api/v1/nodes/${folder.id}/files`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + 500) },
      });
      request.on('error', () => resolve());
      request.on('response', (response) => {
        response.resume();
        response.on('end', resolve);
      });
      request.write(head, () => setTimeout(() => request.destroy(), 100));
    });
    await expect.poll(tempFiles).toEqual([]);
    expect(await listNames(folder.id)).toEqual([]);
  });

  it('never lets a user write into another workspace’s folder', async () => {
    const response = await send(bob, root, batchForm([{ name: 'intruder.txt', content: 'x' }]));
    expect(response.status).toBe(404);
    expect(await errorCode(response)).toBe('node_not_found');
    expect(await listNames(root)).not.toContain('intruder.txt');
  });
});
