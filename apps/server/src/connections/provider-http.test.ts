/**
 * @module connections/provider-http.test
 * The provider client against a stand-in provider on 127.0.0.1: calls of one
 * connection are paced at the provider's per-connection rate (a call whose
 * turn is too far away is refused before it leaves, other connections go on),
 * a 429/503 `Retry-After` holds that connection back (long: refused at once;
 * short: the next call waits for it, then goes), and every call — answered,
 * refused by the rate limit or by the SSRF guard — is reported for analytics.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FerryError } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderHttp, type ProviderCallReport } from './provider-http.js';

interface Answer {
  status: number;
  headers?: Record<string, string>;
}

let provider: Server;
let base = '';
const seen: string[] = [];
let answer: (path: string) => Answer = () => ({ status: 200 });

beforeAll(async () => {
  provider = createServer((request, response) => {
    seen.push(request.url ?? '/');
    const { status, headers } = answer(request.url ?? '/');
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify({ path: request.url }));
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
});

afterAll(async () => {
  provider.closeAllConnections();
  await new Promise<void>((resolve) => provider.close(() => resolve()));
});

function client(reports: ProviderCallReport[]): ProviderHttp {
  return new ProviderHttp({ allowList: ['127.0.0.1'], timeoutMs: 5000, onCall: (report) => reports.push(report) });
}

async function refusal(call: Promise<Response>): Promise<string> {
  const error: unknown = await call.then(
    () => null,
    (reason: unknown) => reason,
  );
  return error instanceof FerryError ? error.code : `not refused: ${String(error)}`;
}

describe('provider http', () => {
  it("paces one connection's calls at the provider's rate; other connections are not held back", async () => {
    const reports: ProviderCallReport[] = [];
    const http = client(reports);
    seen.length = 0;
    // One call per 100 s: the second call's turn is beyond the 30 s a call may wait.
    expect((await http.fetch('connection:a', 0.01, `${base}/first`)).status).toBe(200);
    expect(await refusal(http.fetch('connection:a', 0.01, `${base}/second`))).toBe('rate_limited');
    expect((await http.fetch('connection:b', 0.01, `${base}/other`)).status).toBe(200);
    expect(seen).toEqual(['/first', '/other']);
    expect(reports.map((report) => [report.paceKey, report.status, report.failure])).toEqual([
      ['connection:a', 200, null],
      ['connection:a', null, 'rate_limited'],
      ['connection:b', 200, null],
    ]);
    expect(reports[0]?.bytesIn).toBeGreaterThan(0);
    await http.close();
  });

  it("holds a connection back after the provider's 429 Retry-After: a long one refuses at once", async () => {
    const reports: ProviderCallReport[] = [];
    const http = client(reports);
    seen.length = 0;
    answer = (path) => (path === '/busy' ? { status: 429, headers: { 'retry-after': '120' } } : { status: 200 });
    const busy = await http.fetch('connection:c', 100, `${base}/busy`, { method: 'POST', body: 'x=1' });
    expect(busy.status).toBe(429);
    expect(http.blockedUntil('connection:c')).toBeGreaterThan(Date.now() + 100_000);
    expect(await refusal(http.fetch('connection:c', 100, `${base}/after`))).toBe('rate_limited');
    expect((await http.fetch('connection:d', 100, `${base}/elsewhere`)).status).toBe(200);
    expect(seen).toEqual(['/busy', '/elsewhere']);
    expect(reports[0]).toMatchObject({ status: 429, method: 'POST', bytesOut: 3 });
    await http.close();
  });

  it('waits out a short Retry-After (503), then sends the next call', async () => {
    const http = client([]);
    seen.length = 0;
    answer = (path) => (path === '/down' ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 });
    expect((await http.fetch('connection:e', 100, `${base}/down`)).status).toBe(503);
    expect(http.blockedUntil('connection:e')).toBeGreaterThan(Date.now());
    // Not refused: the wait is short enough to sit out.
    expect((await http.fetch('connection:e', 100, `${base}/up`)).status).toBe(200);
    expect(seen).toEqual(['/down', '/up']);
    await http.close();
  });

  it('reports a call the SSRF guard refuses (it never leaves)', async () => {
    const reports: ProviderCallReport[] = [];
    const http = client(reports);
    expect(await refusal(http.fetch('provider:google-drive', 100, 'http://169.254.169.254/latest/meta-data'))).toBe('url_not_allowed');
    expect(reports).toMatchObject([{ paceKey: 'provider:google-drive', status: null, failure: 'refused', bytesOut: 0, bytesIn: 0 }]);
    await http.close();
  });
});
