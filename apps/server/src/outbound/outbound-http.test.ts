/**
 * @module outbound/outbound-http.test
 * The outbound client against real receivers on 127.0.0.1: refused without
 * the allow-list, reached with it; redirects are answers, never followed;
 * slow receivers time out; requests beyond the connections wait their turn,
 * their time limit counting from when they are sent; big answers are cut; a
 * DNS name is connected to at the address the guard checked.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundHttp } from './outbound-http.js';
import { SsrfGuard } from './ssrf-guard.js';

async function listen(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ server: Server; url: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((request, response) => {
    hits.push(`${request.method} ${request.url} host=${request.headers.host}`);
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

describe('outbound HTTP client', () => {
  let ok: Awaited<ReturnType<typeof listen>>;
  let redirecting: Awaited<ReturnType<typeof listen>>;
  let slow: Awaited<ReturnType<typeof listen>>;
  let big: Awaited<ReturnType<typeof listen>>;
  let unhurried: Awaited<ReturnType<typeof listen>>;
  const clients: OutboundHttp[] = [];
  const client = (guard: SsrfGuard, timeoutMs = 2000) => {
    const made = new OutboundHttp({ guard, timeoutMs, maxResponseBytes: 1024 });
    clients.push(made);
    return made;
  };

  beforeAll(async () => {
    ok = await listen((_request, response) => response.end('thanks'));
    redirecting = await listen((_request, response) => {
      response.writeHead(302, { location: `${ok.url}/internal-admin` });
      response.end();
    });
    slow = await listen(() => undefined);
    big = await listen((_request, response) => response.end('x'.repeat(100_000)));
    unhurried = await listen((_request, response) => setTimeout(() => response.end('done'), 400));
  });

  afterAll(async () => {
    await Promise.all(clients.map((made) => made.close()));
    for (const receiver of [ok, redirecting, slow, big, unhurried]) {
      receiver.server.closeAllConnections();
      receiver.server.close();
    }
  });

  it('refuses loopback without the allow-list, before any connection', async () => {
    const result = await client(new SsrfGuard()).send({ url: `${ok.url}/hook`, headers: {}, body: '{}' });
    expect(result).toMatchObject({ ok: false, refused: true, error: expect.stringContaining('loopback') });
    expect(ok.hits).toHaveLength(0);
  });

  it('reaches an allow-listed receiver', async () => {
    const result = await client(new SsrfGuard({ allowList: ['127.0.0.1'] })).send({ url: `${ok.url}/hook`, headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(result).toMatchObject({ ok: true, answer: { status: 200, body: 'thanks', truncated: false } });
    expect(ok.hits).toEqual(['POST /hook host=' + ok.url.slice('http://'.length)]);
  });

  it('does not follow a redirect to loopback: the 302 is the answer', async () => {
    const before = ok.hits.length;
    const result = await client(new SsrfGuard({ allowList: ['127.0.0.1'] })).send({ url: `${redirecting.url}/hook`, headers: {}, body: '{}' });
    expect(result).toMatchObject({ ok: true, answer: { status: 302 } });
    expect(ok.hits.length).toBe(before);
  });

  it('times out on a receiver that never answers', async () => {
    const result = await client(new SsrfGuard({ allowList: ['127.0.0.1'] }), 300).send({ url: `${slow.url}/hook`, headers: {}, body: '{}' });
    expect(result).toMatchObject({ ok: false, refused: false, timedOut: true, error: expect.stringContaining('No answer within 300 ms') });
  });

  it('sends requests beyond its connections in turn, each timed from when it is sent; one that waits too long fails unsent', async () => {
    // One connection, 400 ms per answer, a 600 ms limit: the second waits 400 ms and answers 400 ms after it is
    // sent (800 ms after it was handed over); the third would be sent at 800 ms, past the limit for waiting.
    const oneConnection = new OutboundHttp({ guard: new SsrfGuard({ allowList: ['127.0.0.1'] }), timeoutMs: 600, maxResponseBytes: 1024, connectionsPerOrigin: 1 });
    clients.push(oneConnection);
    const send = () => oneConnection.send({ url: `${unhurried.url}/hook`, headers: {}, body: '{}' });
    const [first, second, third] = await Promise.all([send(), send(), send()]);
    expect(first).toMatchObject({ ok: true, answer: { body: 'done' } });
    expect(second).toMatchObject({ ok: true, answer: { body: 'done' } });
    expect(second.durationMs).toBeLessThan(600);
    expect(third).toMatchObject({ ok: false, timedOut: true, refused: false, error: 'Not sent within 600 ms: every connection to the receiver stayed busy.' });
    expect(unhurried.hits).toHaveLength(2);
  });

  it('reads at most the response size limit', async () => {
    const result = await client(new SsrfGuard({ allowList: ['127.0.0.1'] })).send({ url: `${big.url}/hook`, headers: {}, body: '{}' });
    expect(result.ok && result.answer.body.length).toBe(1024);
    expect(result.ok && result.answer.truncated).toBe(true);
  });

  it('connects a host name to the address the guard checked (pinned), and refuses a private answer at connect time', async () => {
    const port = new URL(ok.url).port;
    const pinned = new SsrfGuard({ allowList: ['127.0.0.1'], resolver: async () => [{ address: '127.0.0.1', family: 4 }] });
    const reached = await client(pinned).send({ url: `http://receiver.invalid:${port}/named`, headers: {}, body: '{}' });
    expect(reached).toMatchObject({ ok: true, answer: { status: 200 } });
    expect(ok.hits.at(-1)).toBe(`POST /named host=receiver.invalid:${port}`);

    const rebound = new SsrfGuard({ resolver: async () => [{ address: '127.0.0.1', family: 4 }] });
    const refused = await client(rebound).send({ url: `http://receiver.invalid:${port}/named`, headers: {}, body: '{}' });
    expect(refused).toMatchObject({ ok: false, refused: true, error: expect.stringContaining('receiver.invalid resolves to 127.0.0.1') });
  });
});
