/**
 * @module typed-client.test
 * The typed client of @ferry/core against a real Ferry server: identity,
 * streamed uploads and downloads, resumable uploads, paging, error codes.
 * (It lives here because the CLI may depend on both core and the server.)
 */
import { allPages, collectPages, createClient, FerryError, pickWorkspace, resolvePath, tryResolvePath, type FerryClient } from '@ferry/core';
import { startTestServer, type TestServer, type TestUser } from '@ferry/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const encoder = new TextEncoder();

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function expectFerryError(promise: Promise<unknown>): Promise<FerryError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(FerryError);
    return error as FerryError;
  }
  throw new Error('expected the call to fail');
}

describe('typed client against a Ferry server', () => {
  let server: TestServer;
  let alice: TestUser;
  let client: FerryClient;

  beforeAll(async () => {
    server = await startTestServer();
    alice = await server.newUser();
    client = createClient({ baseUrl: `${server.url}/`, token: alice.token, source: 'client-test' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('reads the caller and their workspaces, parsed by the schema', async () => {
    const me = await client.call('me');
    expect(me.user.email).toBe(alice.user.email);
    expect(me.workspaces.map((workspace) => workspace.id)).toContain(alice.workspace.id);
    expect((await pickWorkspace(client)).id).toBe(alice.workspace.id);
    expect((await pickWorkspace(client, alice.workspace.name.toUpperCase())).id).toBe(alice.workspace.id);
  });

  it('turns a bad token into an unauthenticated FerryError', async () => {
    const stranger = createClient({ baseUrl: server.url, token: 'fry_not-a-token' });
    const error = await expectFerryError(stranger.call('me'));
    expect(error.code).toBe('unauthenticated');
    expect(error.status).toBe(401);
  });

  it('turns an unknown node into a 404 FerryError with the server code', async () => {
    const error = await expectFerryError(client.call('getNode', { params: { nodeId: 'nod_doesnotexist' } }));
    expect(error.status).toBe(404);
    expect(error.code).toMatch(/not_found$/);
  });

  it('streams a file up, resolves its path and streams it back', async () => {
    const root = alice.workspace.rootFolderId;
    const folder = await client.call('createFolder', { params: { nodeId: root }, body: { name: 'docs & notes' } });
    const text = 'héllo, ferry\n'.repeat(1000);
    const file = await client.call('putFileByName', {
      params: { nodeId: folder.id, name: 'report #1.txt' },
      body: streamOf(text.slice(0, 5000), text.slice(5000)),
      headers: { 'x-ferry-sha256': await sha256Hex(text) },
    });
    expect(file.kind).toBe('file');
    expect(file.size).toBe(encoder.encode(text).byteLength);

    const resolved = await resolvePath(client, alice.workspace.id, '/docs & notes/report #1.txt');
    expect(resolved.id).toBe(file.id);
    expect(await tryResolvePath(client, alice.workspace.id, '/docs & notes/missing.txt')).toBeNull();

    const response = await client.call('getFileContent', { params: { nodeId: file.id } });
    expect(await response.text()).toBe(text);

    const versions = await client.call('listVersions', { params: { nodeId: file.id } });
    expect(versions.items[0]?.source).toBe('client-test');
  });

  it('refuses a body whose digest does not match, storing nothing', async () => {
    const root = alice.workspace.rootFolderId;
    const error = await expectFerryError(
      client.call('putFileByName', {
        params: { nodeId: root, name: 'tampered.txt' },
        body: 'the real content',
        headers: { 'x-ferry-sha256': await sha256Hex('other content') },
      }),
    );
    expect(error.code).toBe('digest_mismatch');
    expect(await tryResolvePath(client, alice.workspace.id, '/tampered.txt')).toBeNull();
  });

  it('answers a lost race with precondition_failed', async () => {
    const root = alice.workspace.rootFolderId;
    const file = await client.call('putFileByName', { params: { nodeId: root, name: 'race.txt' }, body: encoder.encode('one') });
    await client.call('putFileContent', { params: { nodeId: file.id }, body: 'two', headers: { 'if-match': file.versionId } });
    const error = await expectFerryError(
      client.call('putFileContent', { params: { nodeId: file.id }, body: 'three', headers: { 'if-match': file.versionId } }),
    );
    expect(error.code).toBe('precondition_failed');
  });

  it('walks every page of a folder listing', async () => {
    const root = alice.workspace.rootFolderId;
    const folder = await client.call('createFolder', { params: { nodeId: root }, body: { name: 'many' } });
    const names = Array.from({ length: 7 }, (_, index) => `item-${index}.txt`);
    for (const name of names) await client.call('putFileByName', { params: { nodeId: folder.id, name }, body: name });
    const seen: string[] = [];
    for await (const node of allPages(client, 'listChildren', { params: { nodeId: folder.id }, query: { limit: 3 } })) seen.push(node.name);
    expect(seen.sort()).toEqual(names);
    const all = await collectPages(client, 'listChildren', { params: { nodeId: folder.id }, query: { limit: 2 } });
    expect(all).toHaveLength(7);
  });

  it('runs a resumable upload in chunks', async () => {
    const root = alice.workspace.rootFolderId;
    const content = 'abcdefghij'.repeat(100);
    const session = await client.call('createUpload', {
      body: { parentId: root, name: 'big.bin', size: content.length, sha256: await sha256Hex(content) },
    });
    let offset = session.offset;
    while (offset < content.length) {
      const chunk = content.slice(offset, offset + 300);
      const next = await client.call('appendUpload', {
        params: { uploadId: session.id },
        body: encoder.encode(chunk),
        headers: { 'upload-offset': String(offset) },
      });
      offset = next.offset;
    }
    const file = await client.call('finishUpload', { params: { uploadId: session.id } });
    expect(file.size).toBe(content.length);
    // (cli.files.test.ts downloads a resumably uploaded file back byte for byte.)
    expect(file.sha256).toBe(await sha256Hex(content));
  });
});
