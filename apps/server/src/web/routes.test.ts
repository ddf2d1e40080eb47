/**
 * @module web/routes.test
 * The console is served from its build folder: index.html for the console's
 * own paths (never cached), hashed assets cached for a year, the API's 404s
 * stay JSON, and a server without a build says how to make one.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/index.js';

const indexHtml = '<!doctype html><title>Ferry</title><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script>';

describe('web console routes, with a built console', () => {
  let server: TestServer;
  let webRoot: string;

  beforeAll(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'ferry-web-'));
    mkdirSync(join(webRoot, 'assets'));
    writeFileSync(join(webRoot, 'index.html'), indexHtml);
    writeFileSync(join(webRoot, 'assets', 'index-abc123.js'), 'console.log("ferry")');
    server = await startTestServer({ webRoot });
  });

  afterAll(async () => {
    await server.close();
    rmSync(webRoot, { recursive: true, force: true });
  });

  it('serves index.html at / and at the console paths, never cached', async () => {
    for (const path of ['/', '/files', '/files/docs/Reports%202024', '/s/some-token', '/activity']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control'), path).toBe('no-cache');
      expect(await response.text(), path).toBe(indexHtml);
    }
  });

  it('serves hashed assets with a long immutable cache', async () => {
    const response = await fetch(`${server.url}/assets/index-abc123.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await response.text()).toBe('console.log("ferry")');
  });

  it('answers a missing asset and an unknown API path with the JSON 404, not the page', async () => {
    for (const path of ['/assets/index-gone.js', '/api/v1/no-such-route']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(404);
      const body = (await response.json()) as { error: { code: string } };
      expect(body.error.code, path).toBe('not_found');
    }
  });

  it('keeps the server routes answering as before', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });
});

describe('web console routes, without a build', () => {
  it('starts and says at / how to build the console', async () => {
    const server = await startTestServer({ webRoot: null });
    try {
      const response = await fetch(`${server.url}/`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toMatch(/web console is not built.*pnpm run build/);
      const elsewhere = await fetch(`${server.url}/files/docs`);
      expect(elsewhere.status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
