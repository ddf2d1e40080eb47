/**
 * @module connections/provider-http.answer-limit.test
 * The size limits of provider answers, against a stand-in provider on
 * 127.0.0.1 that records whether it finished writing: `fetch` (token and JSON
 * answers) refuses an answer past its cap — one declared too large, one
 * streamed without a length, one that never ends — with `provider_error`
 * naming the host and the limit, reports the call as `too_large`, and stops
 * reading (the provider sees its socket closed before it wrote everything);
 * `guardedFetch` (file content for SDKs) errors the stream past its cap,
 * counted after decompression, so a gzip bomb stops at the cap. Answers at
 * the cap come through byte for byte.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGzip, gzipSync } from 'node:zlib';
import { FerryError } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderHttp, type ProviderCallReport } from './provider-http.js';

const cap = 64 * 1024;
const piece = Buffer.alloc(16 * 1024, 'a');
const atCap = Buffer.alloc(cap, 'b');

/** How one answer of the provider ended: written to the end, or its socket closed first. */
interface Written {
  path: string;
  bytes: number;
  finished: boolean;
}

let provider: Server;
let base = '';
let written: Written[] = [];
const reports: ProviderCallReport[] = [];
const http = new ProviderHttp({ allowList: ['127.0.0.1'], timeoutMs: 5000, maxAnswerBytes: cap, maxStreamedAnswerBytes: cap, onCall: (report) => reports.push(report) });

/** Writes `piece` after piece (waiting for the socket to drain) until `total` bytes, or forever when null; records how it ended. */
function writePieces(path: string, response: ServerResponse, total: number | null): void {
  const record: Written = { path, bytes: 0, finished: false };
  const more = (): void => {
    while (!response.destroyed && (total === null || record.bytes < total)) {
      record.bytes += piece.byteLength;
      if (!response.write(piece)) {
        response.once('drain', more);
        return;
      }
    }
    if (!response.destroyed) response.end(() => (record.finished = true));
  };
  response.on('close', () => written.push(record));
  more();
}

function settled(path: string): Promise<Written> {
  return new Promise((resolve) => {
    const look = (): void => {
      const found = written.find((record) => record.path === path);
      if (found === undefined) setTimeout(look, 10);
      else resolve(found);
    };
    look();
  });
}

beforeAll(async () => {
  provider = createServer((request, response) => {
    const path = request.url ?? '/';
    if (path === '/declared') {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(64 * 1024 ** 2) });
      writePieces(path, response, 64 * 1024 ** 2);
    } else if (path === '/chunked') {
      response.writeHead(200, { 'content-type': 'application/json' });
      writePieces(path, response, 64 * 1024 ** 2);
    } else if (path === '/endless') {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      writePieces(path, response, null);
    } else if (path === '/at-cap') {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.end(atCap);
    } else if (path === '/at-cap-gzip') {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' });
      response.end(gzipSync(atCap));
    } else if (path === '/gzip-bomb') {
      // Zeros compress about 1000:1: the few kilobytes sent decode to megabytes, and the sender never stops.
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' });
      const gzip = createGzip();
      gzip.pipe(response);
      const zeros = Buffer.alloc(1024 ** 2);
      const record: Written = { path, bytes: 0, finished: false };
      const more = (): void => {
        while (!response.destroyed) {
          record.bytes += zeros.byteLength;
          if (!gzip.write(zeros)) {
            gzip.once('drain', more);
            return;
          }
        }
      };
      response.on('close', () => {
        gzip.destroy();
        written.push(record);
      });
      more();
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await http.close();
  provider.closeAllConnections();
  await new Promise<void>((resolve) => provider.close(() => resolve()));
});

async function failureOf(call: Promise<unknown>): Promise<FerryError> {
  const error: unknown = await call.then(
    () => null,
    (reason: unknown) => reason,
  );
  if (!(error instanceof FerryError)) throw new Error(`expected a FerryError, got ${String(error)}`);
  return error;
}

/** Reads a streamed body to its end or its error; how many bytes arrived, and the error if any. */
async function drain(response: Response): Promise<{ bytes: number; error: unknown }> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes, error: null };
      bytes += value.byteLength;
    }
  } catch (error) {
    return { bytes, error };
  }
}

describe('answer size limits of provider calls', () => {
  it('fetch refuses an answer that declares more than the cap, without reading it', async () => {
    written = [];
    reports.length = 0;
    const error = await failureOf(http.fetch('connection:big', 100, `${base}/declared`));
    expect(error.code).toBe('provider_error');
    expect(error.message).toContain(new URL(base).host);
    expect(error.message).toContain('64 KiB');
    const end = await settled('/declared');
    expect(end.finished).toBe(false);
    expect(end.bytes).toBeLessThan(64 * 1024 ** 2);
    expect(reports.map((report) => [report.status, report.failure])).toEqual([[null, 'too_large']]);
  });

  it('fetch stops reading a chunked answer at the cap and reports the call as too large', async () => {
    written = [];
    reports.length = 0;
    const error = await failureOf(http.fetch('connection:big', 100, `${base}/chunked`));
    expect(error.code).toBe('provider_error');
    expect(error.message).toMatch(/larger than 64 KiB/);
    const end = await settled('/chunked');
    expect(end.finished).toBe(false);
    expect(end.bytes).toBeLessThan(64 * 1024 ** 2);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ status: null, failure: 'too_large' });
    // What was read before the refusal: past the cap by at most one chunk, far from the whole answer.
    expect(reports[0]?.bytesIn).toBeGreaterThan(cap);
    expect(reports[0]?.bytesIn).toBeLessThan(4 * cap);
  });

  it('fetch refuses an answer that never ends', async () => {
    written = [];
    const error = await failureOf(http.fetch('connection:big', 100, `${base}/endless`));
    expect(error.code).toBe('provider_error');
    expect(error.message).toContain(new URL(base).host);
    expect((await settled('/endless')).finished).toBe(false);
  });

  it('fetch and guardedFetch hand on an answer of exactly the cap untouched', async () => {
    reports.length = 0;
    const fetched = await http.fetch('connection:small', 100, `${base}/at-cap`);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(atCap)).toBe(true);
    expect(reports.map((report) => [report.status, report.failure, report.bytesIn])).toEqual([[200, null, cap]]);
    const streamed = await http.guardedFetch(`${base}/at-cap`);
    expect(Buffer.from(await streamed.arrayBuffer()).equals(atCap)).toBe(true);
    const decoded = await http.guardedFetch(`${base}/at-cap-gzip`, { headers: { 'accept-encoding': 'gzip' } });
    expect(Buffer.from(await decoded.arrayBuffer()).equals(atCap)).toBe(true);
  });

  it('guardedFetch errors the stream of an answer that never ends at the cap', async () => {
    written = [];
    const answer = await http.guardedFetch(`${base}/endless`);
    expect(answer.status).toBe(200);
    const { bytes, error } = await drain(answer);
    expect(bytes).toBeLessThanOrEqual(cap);
    expect(error instanceof FerryError ? [error.code, error.message.includes('larger than 64 KiB')] : error).toEqual(['provider_error', true]);
    expect((await settled('/endless')).finished).toBe(false);
  });

  it('guardedFetch stops a gzip bomb at the cap of decoded bytes', async () => {
    written = [];
    const answer = await http.guardedFetch(`${base}/gzip-bomb`, { headers: { 'accept-encoding': 'gzip' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-encoding')).toBeNull();
    const { bytes, error } = await drain(answer);
    expect(bytes).toBeLessThanOrEqual(cap);
    expect(error instanceof FerryError ? error.code : error).toBe('provider_error');
    expect(error instanceof FerryError ? error.message : '').toMatch(/decompressed answer from 127\.0\.0\.1:\d+ is larger than 64 KiB/);
    // The provider was still compressing when Ferry hung up.
    expect((await settled('/gzip-bomb')).finished).toBe(false);
  });
});
