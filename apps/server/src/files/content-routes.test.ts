import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { FerryNode, FileVersion } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../testing/index.js';
import { errorCode, filesUnder, json, putFile, rawRequest, upload } from './file-test-kit.js';

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest();

describe('file content', () => {
  let server: TestServer;
  let alice: TestUser;
  let root: string;
  beforeAll(async () => {
    server = await startTestServer({ maxUploadBytes: 1000 });
    alice = await server.newUser();
    root = alice.workspace.rootFolderId;
  });
  afterAll(async () => {
    await server.close();
  });

  const blobs = () => filesUnder(join(server.dataDir, 'blobs'));
  const versionsOf = async (id: string) => (await json<{ items: FileVersion[] }>(await alice.api(`/api/v1/nodes/${id}/versions`))).items;

  it('stores a file by name, answers it with its ETag, and downloads it back', async () => {
    const response = await putFile(alice, root, 'hello.txt', 'hello world');
    expect(response.status).toBe(200);
    const node = await json<FerryNode>(response);
    expect(node).toMatchObject({ kind: 'file', name: 'hello.txt', size: 11, path: '/hello.txt', parentId: root });
    expect(node.sha256).toBe(sha256('hello world').toString('hex'));
    expect(response.headers.get('etag')).toBe(`"${node.versionId}"`);

    const download = await alice.api(`/api/v1/nodes/${node.id}/content`);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('hello world');
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('accept-ranges')).toBe('bytes');
    expect(download.headers.get('content-length')).toBe('11');
    expect(download.headers.get('etag')).toBe(`"${node.versionId}"`);
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="hello.txt"; filename*=UTF-8''hello.txt`);
  });

  it('gives a safe Content-Disposition for names with quotes and non-ASCII', async () => {
    const node = await upload(alice, root, 'naïve "quote".txt', 'x');
    const download = await alice.api(`/api/v1/nodes/${node.id}/content`);
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="na_ve _quote_.txt"; filename*=UTF-8''na%C3%AFve%20%22quote%22.txt`);
  });

  it('stores identical content once', async () => {
    const before = blobs().length;
    await upload(alice, root, 'same-1.txt', 'identical bytes');
    await upload(alice, root, 'same-2.txt', 'identical bytes');
    expect(blobs().length).toBe(before + 1);
    const hex = sha256('identical bytes').toString('hex');
    expect(blobs()).toContain(join(server.dataDir, 'blobs', hex.slice(0, 2), hex.slice(2, 4), hex));
  });

  it('verifies Content-Digest and X-Ferry-Sha256; a mismatch stores nothing', async () => {
    const good = await putFile(alice, root, 'digest.txt', 'abc', { 'content-digest': `sha-256=:${sha256('abc').toString('base64')}:` });
    expect(good.status).toBe(200);
    const node = await json<FerryNode>(good);
    const blobsBefore = blobs().length;
    const bad = await putFile(alice, root, 'digest.txt', 'abd', { 'content-digest': `sha-256=:${sha256('abc').toString('base64')}:` });
    expect(bad.status).toBe(400);
    expect(await errorCode(bad)).toBe('digest_mismatch');
    const badHex = await putFile(alice, root, 'digest.txt', 'abd', { 'x-ferry-sha256': sha256('abc').toString('hex') });
    expect(await errorCode(badHex)).toBe('digest_mismatch');
    const newFile = await putFile(alice, root, 'never.txt', 'abd', { 'x-ferry-sha256': sha256('abc').toString('hex') });
    expect(newFile.status).toBe(400);
    expect(blobs().length).toBe(blobsBefore);
    expect(await versionsOf(node.id)).toHaveLength(1);
    expect((await alice.api(`/api/v1/workspaces/${alice.workspace.id}/resolve?path=/never.txt`)).status).toBe(404);
    expect(filesUnder(join(server.dataDir, 'tmp'))).toEqual([]);
  });

  it('refuses a body over the limit with 413, announced or streamed, and stores nothing', async () => {
    const before = blobs().length;
    const announced = await putFile(alice, root, 'big.bin', new Uint8Array(2000));
    expect(announced.status).toBe(413);
    expect(await errorCode(announced)).toBe('payload_too_large');
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let index = 0; index < 4; index++) controller.enqueue(new Uint8Array(400));
        controller.close();
      },
    });
    const streamed = await alice.api(`/api/v1/nodes/${root}/files/big.bin`, { method: 'PUT', body: chunked, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(blobs().length).toBe(before);
    expect(filesUnder(join(server.dataDir, 'tmp'))).toEqual([]);
  });

  it('leaves nothing visible when the client goes away mid-body', async () => {
    const before = blobs().length;
    await new Promise<void>((resolve) => {
      const url = new URL(`${server.url}/api/v1/nodes/${root}/files/truncated.bin`);
      const request = httpRequest(url, { method: 'PUT', headers: { authorization: `Bearer ${alice.token}`, 'content-length': '900', 'content-type': 'application/octet-stream' } });
      request.on('error', () => resolve());
      request.write(Buffer.alloc(300, 1), () => setTimeout(() => { request.destroy(); resolve(); }, 50));
    });
    // The server notices the abort asynchronously: wait for the temp folder to empty.
    for (let attempt = 0; attempt < 100 && filesUnder(join(server.dataDir, 'tmp')).length > 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(filesUnder(join(server.dataDir, 'tmp'))).toEqual([]);
    expect(blobs().length).toBe(before);
    expect((await alice.api(`/api/v1/workspaces/${alice.workspace.id}/resolve?path=/truncated.bin`)).status).toBe(404);
  });

  it('takes If-None-Match: * to create only and If-Match to replace only that version', async () => {
    const first = await putFile(alice, root, 'cond.txt', 'one', { 'if-none-match': '*' });
    expect(first.status).toBe(200);
    const node = await json<FerryNode>(first);
    const again = await putFile(alice, root, 'COND.txt', 'two', { 'if-none-match': '*' });
    expect(again.status).toBe(412);
    expect(await errorCode(again)).toBe('precondition_failed');
    const stale = await putFile(alice, root, 'cond.txt', 'two', { 'if-match': '"ver_stale"' });
    expect(stale.status).toBe(412);
    const fresh = await putFile(alice, root, 'cond.txt', 'two', { 'if-match': node.versionId });
    expect(fresh.status).toBe(200);
    const updated = await json<FerryNode>(fresh);
    expect(updated.id).toBe(node.id);
    expect(updated.versionId).not.toBe(node.versionId);
    const staleContent = await alice.api(`/api/v1/nodes/${node.id}/content`, { method: 'PUT', body: 'three', headers: { 'if-match': `"${node.versionId}"` } });
    expect(staleContent.status).toBe(412);
    const okContent = await alice.api(`/api/v1/nodes/${node.id}/content`, { method: 'PUT', body: 'three', headers: { 'if-match': `"${updated.versionId}"` } });
    expect(okContent.status).toBe(200);
    expect(await (await alice.api(`/api/v1/nodes/${node.id}/content`)).text()).toBe('three');
  });

  it('keeps versions newest first, downloads an old one, and restores it as a new version', async () => {
    const v1 = await upload(alice, root, 'versions.txt', 'first');
    await upload(alice, root, 'versions.txt', 'second');
    const v3 = await upload(alice, root, 'versions.txt', 'third');
    const versions = await versionsOf(v1.id);
    expect(versions.map((version) => version.size)).toEqual([5, 6, 5]);
    expect(versions[0]).toMatchObject({ current: true, id: v3.contentVersionId, authorId: alice.user.id, source: 'api' });
    expect(versions[2]?.id).toBe(v1.contentVersionId);
    const old = await alice.api(`/api/v1/nodes/${v1.id}/content?versionId=${v1.contentVersionId}`);
    expect(await old.text()).toBe('first');
    expect((await alice.api(`/api/v1/nodes/${v1.id}/content?versionId=fvr_nope`)).status).toBe(404);
    const restored = await alice.api(`/api/v1/nodes/${v1.id}/versions/${v1.contentVersionId}/restore`, { method: 'POST' });
    expect(restored.status).toBe(200);
    expect(await json<FerryNode>(restored)).toMatchObject({ size: 5, sha256: v1.sha256 });
    expect(await (await alice.api(`/api/v1/nodes/${v1.id}/content`)).text()).toBe('first');
    expect(await versionsOf(v1.id)).toHaveLength(4);
  });

  it('records the device of a write from X-Ferry-Source', async () => {
    const response = await putFile(alice, root, 'sourced.txt', 'x', { 'x-ferry-source': 'laptop-1' });
    const node = await json<FerryNode>(response);
    expect((await versionsOf(node.id))[0]?.source).toBe('laptop-1');
  });

  it('serves byte ranges: a-b, a-, -n, and 416 outside the file', async () => {
    const node = await upload(alice, root, 'range.txt', '0123456789');
    const get = (range: string) => alice.api(`/api/v1/nodes/${node.id}/content`, { headers: { range } });
    const middle = await get('bytes=2-5');
    expect(middle.status).toBe(206);
    expect(middle.headers.get('content-range')).toBe('bytes 2-5/10');
    expect(middle.headers.get('content-length')).toBe('4');
    expect(await middle.text()).toBe('2345');
    expect(await (await get('bytes=7-')).text()).toBe('789');
    const suffix = await get('bytes=-3');
    expect(suffix.headers.get('content-range')).toBe('bytes 7-9/10');
    expect(await suffix.text()).toBe('789');
    expect(await (await get('bytes=8-100')).text()).toBe('89');
    const outside = await get('bytes=10-');
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe('bytes */10');
    expect(await errorCode(outside)).toBe('range_not_satisfiable');
  });

  it('refuses bad names: "/", NUL, "..", 256 bytes, invalid UTF-8', async () => {
    const dots = await rawRequest(server.url, alice.token, 'PUT', `/api/v1/nodes/${root}/files/..`, 'x');
    expect(dots.status).toBe(400);
    expect(JSON.parse(dots.body)).toMatchObject({ error: { code: 'invalid_name' } });
    for (const raw of ['a%2Fb', 'a%00b', 'x'.repeat(256), '%FF', 'a%ED%A0%80b']) {
      const response = await alice.api(`/api/v1/nodes/${root}/files/${raw}`, { method: 'PUT', body: 'x' });
      expect(response.status, raw).toBe(400);
      expect(await errorCode(response), raw).toBe('invalid_name');
    }
    expect((await putFile(alice, root, 'é'.repeat(127), 'ok')).status).toBe(200);
  });

  it('answers 401 without a token and 404 for nodes of another workspace', async () => {
    const node = await upload(alice, root, 'private.txt', 'secret');
    expect((await fetch(`${server.url}/api/v1/nodes/${node.id}/content`)).status).toBe(401);
    const mallory = await server.newUser();
    for (const [path, init] of [
      [`/api/v1/nodes/${node.id}/content`, {}],
      [`/api/v1/nodes/${node.id}/versions`, {}],
      [`/api/v1/nodes/${node.id}/content`, { method: 'PUT', body: 'x' }],
      [`/api/v1/nodes/${root}/files/evil.txt`, { method: 'PUT', body: 'x' }],
      [`/api/v1/nodes/${node.id}/versions/${node.contentVersionId}/restore`, { method: 'POST' }],
    ] as const) {
      const response = await mallory.api(path, init);
      expect(response.status, path).toBe(404);
      expect(await errorCode(response)).toBe('node_not_found');
    }
    expect(await (await alice.api(`/api/v1/nodes/${node.id}/content`)).text()).toBe('secret');
  });

  it('refuses content writes onto folders and reads of folder content', async () => {
    const response = await alice.api(`/api/v1/nodes/${root}/content`);
    expect(response.status).toBe(409);
    expect(await errorCode(response)).toBe('not_a_file');
  });
});
