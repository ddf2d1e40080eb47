/**
 * @module e2e/oauth.spec
 * Ferry as an OAuth authorization server, in the browser: a public client with
 * a loopback redirect URI asks for access with PKCE; a signed-out user is sent
 * to sign-in and back, reads the scopes in plain words, allows; the client
 * swaps the code for a token that works on the API within its scope. Asking
 * again for the same scopes skips the consent page; Deny answers
 * `error=access_denied`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIRequestContext } from '@playwright/test';
import { owner, test, expect } from './support.js';

interface LoopbackReceiver {
  redirectUri: string;
  close(): Promise<void>;
}

/** The client application's side: a page on 127.0.0.1 that the browser lands on with `code` or `error`. */
async function startReceiver(): Promise<LoopbackReceiver> {
  const server: Server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
    response.end(`<!doctype html><title>Example app</title><h1>Back in the example app</h1><p>${request.method ?? ''}</p>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    redirectUri: `http://127.0.0.1:${port}/callback`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizePath(clientId: string, redirectUri: string, scope: string, state: string, challenge: string): string {
  const query = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope, state, code_challenge: challenge, code_challenge_method: 'S256' });
  return `/oauth/authorize?${query.toString()}`;
}

interface Registered {
  clientId: string;
  workspaceId: string;
  rootFolderId: string;
}

/** Registers a public client for the owner's workspace with the owner's session. */
async function registerClient(request: APIRequestContext, redirectUri: string): Promise<Registered> {
  const me = (await (await request.get('/api/v1/me')).json()) as { workspaces: { id: string; name: string; rootFolderId: string }[] };
  const workspace = me.workspaces.find((candidate) => candidate.name === owner.workspace) ?? me.workspaces[0];
  if (workspace === undefined) throw new Error('the owner has no workspace');
  const created = await request.post(`/api/v1/workspaces/${workspace.id}/oauth-clients`, {
    headers: { 'x-ferry-request': '1' },
    data: { name: 'Example Notes App', type: 'public', redirectUris: [redirectUri], scopes: ['files:read', 'files:write'] },
  });
  expect(created.status()).toBe(201);
  const client = (await created.json()) as { id: string; clientSecret: string | null };
  expect(client.clientSecret).toBeNull();
  return { clientId: client.id, workspaceId: workspace.id, rootFolderId: workspace.rootFolderId };
}

test.describe('OAuth authorization in the browser', () => {
  let receiver: LoopbackReceiver;
  test.beforeAll(async () => {
    receiver = await startReceiver();
  });
  test.afterAll(async () => {
    await receiver.close();
  });

  test('sign in from the authorize link, consent, code for a scoped token, no second consent, deny', async ({ page, browser, baseURL }) => {
    const registered = await registerClient(page.request, receiver.redirectUri);
    const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
    try {
      const app = await context.newPage();
      const first = pkcePair();
      await app.goto(authorizePath(registered.clientId, receiver.redirectUri, 'files:read', 'state-one', first.challenge));

      // Signed out: the console's sign-in, carrying the authorize request in `next`.
      await expect(app.getByRole('heading', { name: 'Sign in' })).toBeVisible();
      const signInUrl = new URL(app.url());
      expect(signInUrl.pathname).toBe('/');
      expect(signInUrl.searchParams.get('next')).toContain('/oauth/authorize?');
      await app.getByLabel('Email').fill(owner.email);
      await app.getByLabel('Password').fill(owner.password);
      await app.getByRole('button', { name: 'Sign in' }).click();

      // The consent page, in plain words.
      await expect(app.getByRole('heading', { name: 'Allow Example Notes App to use your Ferry files?' })).toBeVisible();
      const scopes = app.getByRole('list');
      await expect(scopes).toContainText('See your files and folders');
      await expect(scopes).not.toContainText('files:read');
      await expect(scopes).not.toContainText('Create, change, move and delete');
      await app.getByRole('button', { name: 'Allow' }).click();

      await expect(app.getByRole('heading', { name: 'Back in the example app' })).toBeVisible();
      const landed = new URL(app.url());
      expect(`${landed.origin}${landed.pathname}`).toBe(receiver.redirectUri);
      expect(landed.searchParams.get('state')).toBe('state-one');
      const code = landed.searchParams.get('code');
      expect(code).not.toBeNull();

      // The client swaps the code (with its verifier) for a token.
      const tokenUrl = new URL('/oauth/token', baseURL).toString();
      const exchange = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: code ?? '', redirect_uri: receiver.redirectUri, client_id: registered.clientId, code_verifier: first.verifier }),
      });
      expect(exchange.status).toBe(200);
      const tokens = (await exchange.json()) as { access_token: string; scope: string; token_type: string };
      expect(tokens.scope).toBe('files:read');
      const asApp = (path: string, init: RequestInit = {}) =>
        fetch(new URL(path, baseURL).toString(), { ...init, headers: { authorization: `Bearer ${tokens.access_token}`, ...(init.headers ?? {}) } });
      const listing = await asApp(`/api/v1/nodes/${registered.rootFolderId}/children`);
      expect(listing.status).toBe(200);
      const mkdir = await asApp(`/api/v1/nodes/${registered.rootFolderId}/folders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Not allowed' }),
      });
      expect(mkdir.status).toBe(403);

      // The same scopes again: no consent page, straight back with a code.
      const second = pkcePair();
      await app.goto(authorizePath(registered.clientId, receiver.redirectUri, 'files:read', 'state-two', second.challenge));
      await expect(app.getByRole('heading', { name: 'Back in the example app' })).toBeVisible();
      const again = new URL(app.url());
      expect(again.searchParams.get('state')).toBe('state-two');
      expect(again.searchParams.get('code')).not.toBeNull();

      // A new scope asks again; Deny sends the refusal back to the client.
      const third = pkcePair();
      await app.goto(authorizePath(registered.clientId, receiver.redirectUri, 'files:read files:write', 'state-three', third.challenge));
      await expect(app.getByRole('list')).toContainText('Create, change, move and delete files and folders');
      await app.getByRole('button', { name: 'Deny' }).click();
      await expect(app.getByRole('heading', { name: 'Back in the example app' })).toBeVisible();
      const denied = new URL(app.url());
      expect(denied.searchParams.get('error')).toBe('access_denied');
      expect(denied.searchParams.get('state')).toBe('state-three');
      expect(denied.searchParams.get('code')).toBeNull();
    } finally {
      await context.close();
    }
  });

  test('the sign-in page does not follow a next that leaves the authorize endpoint', async ({ browser, baseURL }) => {
    const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
    try {
      const page = await context.newPage();
      await page.goto(`/?next=${encodeURIComponent('//evil.example/oauth/authorize')}`);
      await page.getByLabel('Email').fill(owner.email);
      await page.getByLabel('Password').fill(owner.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('navigation', { name: 'Sections' })).toBeVisible();
      expect(new URL(page.url()).origin).toBe(new URL(baseURL ?? '').origin);
    } finally {
      await context.close();
    }
  });
});
