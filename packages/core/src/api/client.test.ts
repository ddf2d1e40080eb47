/**
 * @module api/client.test
 * What the typed client puts on the wire and how it reads answers, seen
 * through its `fetch` option (core is isomorphic, so no Node server here).
 * The same client against a real Ferry server is tested in apps/cli
 * (`typed-client.test.ts`), which may depend on the server.
 */
import { describe, expect, it } from 'vitest';
import { FerryError } from '../errors.js';
import { normalizeWorkspacePath, splitWorkspacePath } from './client-helpers.js';
import { createClient } from './client.js';

interface Recorded {
  url: string;
  method: string;
  headers: Headers;
  body: unknown;
  duplex: unknown;
}

/** A fetch that records each request and gives one fixed answer. */
function answering(status: number, body: unknown, type = 'application/json') {
  const recorded: Recorded[] = [];
  const fetchFn = async (input: RequestInfo | URL, init: RequestInit & { duplex?: string } = {}): Promise<Response> => {
    recorded.push({ url: String(input), method: init.method ?? 'GET', headers: new Headers(init.headers), body: init.body, duplex: init.duplex });
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return new Response(status === 204 ? null : text, { status, headers: { 'content-type': type } });
  };
  return { recorded, fetch: fetchFn as typeof fetch };
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

const workspace = { id: 'w1', name: 'Team', role: 'owner', rootFolderId: 'n1', createdAt: '2026-01-01T00:00:00Z' };

describe('typed client on the wire', () => {
  it('fills path params, serialises the query and sends the identifying headers', async () => {
    const wire = answering(200, { items: [], nextCursor: null });
    const client = createClient({ baseUrl: 'http://ferry.test/', token: 'fry_secret', source: 'laptop-1', headers: { 'x-extra': 'yes' }, fetch: wire.fetch });
    const page = await client.call('listChildren', { params: { nodeId: 'a/b c' }, query: { limit: 5, cursor: undefined } });
    expect(page).toEqual({ items: [], nextCursor: null });
    const [request] = wire.recorded;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe('http://ferry.test/api/v1/nodes/a%2Fb%20c/children?limit=5');
    expect(request?.headers.get('authorization')).toBe('Bearer fry_secret');
    expect(request?.headers.get('x-ferry-request')).toBe('1');
    expect(request?.headers.get('x-ferry-source')).toBe('laptop-1');
    expect(request?.headers.get('x-extra')).toBe('yes');
  });

  it('sends JSON bodies as JSON, and no Authorization without a token (cookie session)', async () => {
    const wire = answering(201, workspace);
    const client = createClient({ baseUrl: '', fetch: wire.fetch, credentials: 'same-origin' });
    const created = await client.call('createWorkspace', { body: { name: 'Team' } });
    expect(created.name).toBe('Team');
    const [request] = wire.recorded;
    expect(request?.url).toBe('/api/v1/workspaces');
    expect(request?.method).toBe('POST');
    expect(request?.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(String(request?.body))).toEqual({ name: 'Team' });
    expect(request?.headers.get('authorization')).toBeNull();
    expect(request?.headers.get('x-ferry-request')).toBe('1');
  });

  it('sends binary bodies as they are, streams with duplex "half", and per-call headers last', async () => {
    const node = {
      id: 'f1', workspaceId: 'w1', parentId: 'n1', kind: 'file', name: 'a.txt', size: 3, sha256: 'x', versionId: 'v2',
      contentVersionId: 'c1', createdAt: 'now', updatedAt: 'now', deletedAt: null,
    };
    const wire = answering(200, node);
    const client = createClient({ baseUrl: 'http://ferry.test', fetch: wire.fetch });
    const bytes = new TextEncoder().encode('abc');
    await client.call('putFileContent', { params: { nodeId: 'f1' }, body: bytes, headers: { 'if-match': 'v1', 'content-type': 'text/plain' } });
    const stream = new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
    await client.call('putFileByName', { params: { nodeId: 'n1', name: 'a.txt' }, body: stream });
    const [first, second] = wire.recorded;
    expect(first?.body).toBe(bytes);
    expect(first?.duplex).toBeUndefined();
    expect(first?.headers.get('if-match')).toBe('v1');
    expect(first?.headers.get('content-type')).toBe('text/plain');
    expect(second?.body).toBe(stream);
    expect(second?.duplex).toBe('half');
    expect(second?.headers.get('content-type')).toBe('application/octet-stream');
  });

  it('returns the Response of a binary route untouched', async () => {
    const wire = answering(200, 'raw bytes', 'application/octet-stream');
    const response = await createClient({ baseUrl: 'http://ferry.test', fetch: wire.fetch }).call('getFileContent', { params: { nodeId: 'f1' } });
    expect(response).toBeInstanceOf(Response);
    expect(await response.text()).toBe('raw bytes');
  });

  it('refuses an answer that does not match the route schema', async () => {
    const wire = answering(200, { user: { id: 1 } });
    const error = await expectFerryError(createClient({ baseUrl: 'http://ferry.test', fetch: wire.fetch }).call('me'));
    expect(error.code).toBe('internal');
    expect(error.message).toContain('me');
  });

  it('turns an error body into a FerryError with the server code, message and details', async () => {
    const wire = answering(404, { error: { code: 'node_not_found', message: 'No such node.', details: { nodeId: 'x' } } });
    const error = await expectFerryError(createClient({ baseUrl: 'http://ferry.test', fetch: wire.fetch }).call('getNode', { params: { nodeId: 'x' } }));
    expect(error.code).toBe('node_not_found');
    expect(error.status).toBe(404);
    expect(error.message).toBe('No such node.');
    expect(error.details).toEqual({ nodeId: 'x' });
  });

  it('keeps the status of an error code it does not know', async () => {
    const wire = answering(409, { error: { code: 'brand_new_conflict', message: 'Something newer.', details: { a: 1 } } });
    const error = await expectFerryError(createClient({ baseUrl: 'http://ferry.test', fetch: wire.fetch }).call('me'));
    expect(error.code).toBe('conflict');
    expect(error.status).toBe(409);
    expect(error.message).toBe('Something newer.');
    expect(error.details).toEqual({ status: 409, code: 'brand_new_conflict', details: { a: 1 } });
  });

  it('turns a non-Ferry error page (a proxy) into a FerryError by status', async () => {
    const wire = answering(502, '<html>Bad gateway</html>', 'text/html');
    const error = await expectFerryError(createClient({ baseUrl: 'http://ferry.test', fetch: wire.fetch }).call('me'));
    expect(error.code).toBe('internal');
    expect(error.message).toContain('502');
    expect(error.details).toEqual({ status: 502 });
  });

  it('reports a server it cannot reach as unavailable', async () => {
    const error = await expectFerryError(createClient({ baseUrl: 'http://127.0.0.1:1' }).call('me'));
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain('127.0.0.1:1');
    expect(error.details).toEqual({ reason: 'unreachable' });
  });

  it("keeps a 429's or 503's Retry-After (seconds or a date) in the error's details", async () => {
    const refusing = (status: number, retryAfter: string) =>
      (async () => new Response(JSON.stringify({ error: { code: status === 429 ? 'rate_limited' : 'unavailable', message: 'Later.', details: { limit: 5 } } }), { status, headers: { 'content-type': 'application/json', 'retry-after': retryAfter } })) as typeof fetch;
    const slow = await expectFerryError(createClient({ baseUrl: 'http://ferry.test', fetch: refusing(429, '7') }).call('me'));
    expect([slow.code, slow.details]).toEqual(['rate_limited', { limit: 5, retryAfterMs: 7_000 }]);
    const restarting = await expectFerryError(createClient({ baseUrl: 'http://ferry.test', fetch: refusing(503, new Date(Date.now() + 60_000).toUTCString()) }).call('me'));
    expect(restarting.code).toBe('unavailable');
    expect(restarting.details).toMatchObject({ limit: 5, retryAfterMs: expect.any(Number) as number });
    expect((restarting.details as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(50_000);
  });

  it('lets an abort through as an abort, not as a server error', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(createClient({ baseUrl: 'http://127.0.0.1:1' }).call('me', { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('builds absolute URLs for links', () => {
    const client = createClient({ baseUrl: 'https://ferry.example/' });
    expect(client.url('downloadPublicShare', { params: { token: 'abc' } })).toBe('https://ferry.example/api/v1/public/shares/abc/content');
    expect(client.url('getFileContent', { params: { nodeId: 'n1' }, query: { versionId: 'v 2' } })).toBe(
      'https://ferry.example/api/v1/nodes/n1/content?versionId=v+2',
    );
  });
});

describe('workspace paths', () => {
  it('normalises and splits paths the way the CLI and the console show them', () => {
    expect(normalizeWorkspacePath('docs//a/./b/')).toBe('/docs/a/b');
    expect(normalizeWorkspacePath('')).toBe('/');
    expect(splitWorkspacePath('/docs/report.pdf')).toEqual({ parent: '/docs', name: 'report.pdf' });
    expect(splitWorkspacePath('top.txt')).toEqual({ parent: '/', name: 'top.txt' });
    expect(splitWorkspacePath('/')).toBeNull();
  });
});
