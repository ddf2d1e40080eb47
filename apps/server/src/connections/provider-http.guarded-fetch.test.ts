/**
 * @module connections/provider-http.guarded-fetch.test
 * `ProviderHttp.guardedFetch`, the fetch a sync driver's SDK sends through
 * (Google Drive's gaxios, Dropbox's SDK), against a stand-in provider on
 * 127.0.0.1: a gzip answer (Google's SDK asks for one) arrives decoded, a
 * redirect comes back as it is and is not followed, a streamed request body
 * arrives whole, and without the allow-list the SSRF guard refuses 127.0.0.1
 * before anything is sent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { FerryError } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderHttp } from './provider-http.js';

let provider: Server;
let base = '';
const seen: string[] = [];
const http = new ProviderHttp({ allowList: ['127.0.0.1'], timeoutMs: 5000 });

beforeAll(async () => {
  provider = createServer((request, response) => {
    seen.push(`${request.method ?? ''} ${request.url ?? ''}`);
    if (request.url === '/gzip') {
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      response.end(gzipSync(JSON.stringify({ files: [{ id: 'f1', name: 'a.txt' }] })));
      return;
    }
    if (request.url === '/redirect') {
      response.writeHead(302, { location: '/gzip' });
      response.end();
      return;
    }
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.byteLength;
    });
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ bytes }));
    });
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await http.close();
  provider.closeAllConnections();
  await new Promise<void>((resolve) => provider.close(() => resolve()));
});

describe('the guarded fetch for SDKs', () => {
  it('hands a gzip answer on decoded', async () => {
    const answer = await http.guardedFetch(`${base}/gzip`, { headers: { 'accept-encoding': 'gzip' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-encoding')).toBeNull();
    expect(await answer.json()).toEqual({ files: [{ id: 'f1', name: 'a.txt' }] });
  });

  it('follows no redirect: the 302 comes back and its target is not asked', async () => {
    seen.length = 0;
    const answer = await http.guardedFetch(`${base}/redirect`);
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe('/gzip');
    expect(seen).toEqual(['GET /redirect']);
  });

  it('streams a request body of 3 MiB whole', async () => {
    const piece = new Uint8Array(1024 * 1024).fill(7);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 3) controller.close();
        else {
          sent += 1;
          controller.enqueue(piece);
        }
      },
    });
    const answer = await http.guardedFetch(`${base}/upload`, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
    expect(await answer.json()).toEqual({ bytes: 3 * 1024 * 1024 });
  });

  it('refuses 127.0.0.1 without the allow-list, before anything is sent', async () => {
    seen.length = 0;
    const strict = new ProviderHttp({ allowList: [], timeoutMs: 5000 });
    try {
      const refused: unknown = await strict.guardedFetch(`${base}/gzip`).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refused instanceof FerryError ? refused.code : refused).toBe('url_not_allowed');
      expect(seen).toEqual([]);
    } finally {
      await strict.close();
    }
  });
});
