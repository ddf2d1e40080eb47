/**
 * @module cli.resume.test
 * A resumable upload that meets a flaky network: a proxy between `ferry put`
 * and the server answers one chunk with 503; the CLI asks the server where
 * the upload stands and carries on, and the file arrives intact.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer, type TestUser } from '@ferry/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from './testing/build-cli.js';
import { runFerry } from './testing/run-ferry.js';

let server: TestServer;
let user: TestUser;
let proxy: Server;
let proxyUrl: string;
let work: string;
const seen: string[] = [];
let failuresLeft = 0;

beforeAll(async () => {
  await buildCli();
  server = await startTestServer();
  user = await server.newUser();
  work = await mkdtemp(join(tmpdir(), 'ferry-resume-'));
  const target = new URL(server.url);
  proxy = createServer((incoming, outgoing) => {
    const line = `${incoming.method ?? ''} ${(incoming.url ?? '').split('?')[0] ?? ''}`;
    seen.push(line);
    // The second chunk of an upload is lost once.
    const chunkNumber = seen.filter((entry) => entry.startsWith('PATCH /api/v1/uploads/')).length;
    if (incoming.method === 'PATCH' && chunkNumber === 2 && failuresLeft > 0) {
      failuresLeft -= 1;
      incoming.resume();
      outgoing.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'unavailable', message: 'Flaky proxy.' } }));
      return;
    }
    const forward = request(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', () => outgoing.destroy());
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}, 300_000);

afterAll(async () => {
  await new Promise<void>((resolve) => proxy?.close(() => resolve()));
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('ferry put over a flaky connection', { timeout: 180_000 }, () => {
  it('resumes a chunked upload from the server offset after a failed chunk', async () => {
    const content = randomBytes(40_000);
    await writeFile(join(work, 'flaky.bin'), content);
    failuresLeft = 1;
    const env = { FERRY_SERVER: proxyUrl, FERRY_TOKEN: user.token, FERRY_RESUMABLE_ABOVE_BYTES: '1000', FERRY_UPLOAD_CHUNK_BYTES: '10000' };
    const run = await runFerry(['--json', 'put', join(work, 'flaky.bin'), '/'], { env, cwd: work });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(failuresLeft).toBe(0);
    expect(seen.filter((line) => line.startsWith('GET /api/v1/uploads/'))).toHaveLength(1);
    expect(seen.filter((line) => line.startsWith('PATCH /api/v1/uploads/'))).toHaveLength(5);

    const back = await runFerry(['get', '/flaky.bin', join(work, 'flaky.back')], { env: { FERRY_SERVER: server.url, FERRY_TOKEN: user.token }, cwd: work });
    expect(back.code).toBe(0);
    expect((await readFile(join(work, 'flaky.back'))).equals(content)).toBe(true);
  });
});
