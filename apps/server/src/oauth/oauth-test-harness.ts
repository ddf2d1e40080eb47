/**
 * @module oauth/oauth-test-harness
 * Test helpers for the authorization server: a browser session for a user, a
 * registered client, PKCE pairs, and the steps of the code flow as a client
 * and a browser perform them (plain fetch, redirects not followed).
 */
import { randomBytes } from 'node:crypto';
import type { OAuthClient } from '@ferry/core';
import { sessionCookie } from '../auth/actor.js';
import { newSecret, sha256Hex } from '../ids.js';
import type { TestServer, TestUser } from '../testing/index.js';
import { s256Challenge } from './pkce.js';

export const redirectUri = 'https://app.example.test/callback';

/** Starts a web session for the user directly in the database; answers the Cookie header. */
export async function signIn(server: TestServer, userId: string): Promise<string> {
  const secret = newSecret(32);
  const now = Date.now();
  await server.ctx.db
    .insertInto('sessions')
    .values({
      id: sha256Hex(secret),
      user_id: userId,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + 3600_000).toISOString(),
      last_seen_at: new Date(now).toISOString(),
      ip: null,
      user_agent: null,
    })
    .execute();
  return `${sessionCookie}=${secret}`;
}

export interface RegisteredClient extends OAuthClient {
  clientSecret: string | null;
}

export async function registerTestClient(
  owner: TestUser,
  options: { type?: 'public' | 'confidential'; redirectUris?: string[]; scopes?: string[]; name?: string } = {},
): Promise<RegisteredClient> {
  const response = await owner.api(`/api/v1/workspaces/${owner.workspace.id}/oauth-clients`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: options.name ?? 'Test App',
      type: options.type ?? 'confidential',
      redirectUris: options.redirectUris ?? [redirectUri],
      scopes: options.scopes ?? ['files:read', 'files:write', 'offline_access'],
    }),
  });
  if (response.status !== 201) throw new Error(`registering a client failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as RegisteredClient;
}

export function newPkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: s256Challenge(verifier) };
}

export function authorizePath(parameters: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined) query.set(name, value);
  return `/oauth/authorize?${query.toString()}`;
}

export async function getAuthorize(server: TestServer, path: string, cookie?: string): Promise<Response> {
  return fetch(`${server.url}${path}`, { redirect: 'manual', headers: cookie === undefined ? {} : { cookie } });
}

export function csrfTokenOf(html: string): string {
  const match = /name="csrf_token" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no csrf_token on the page');
  return match[1];
}

export function workspaceOptionsOf(html: string): string[] {
  return [...html.matchAll(/<option value="([^"]+)"/g)].map((match) => match[1] ?? '');
}

export async function postDecision(server: TestServer, cookie: string, form: Record<string, string>): Promise<Response> {
  return fetch(`${server.url}/oauth/authorize/decision`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

/** The query parameters of a redirect answer. */
export function redirectParameters(response: Response): URLSearchParams {
  const location = response.headers.get('location');
  if (location === null) throw new Error(`expected a redirect, got ${response.status}`);
  return new URL(location).searchParams;
}

export function basicAuthorization(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

export async function postForm(server: TestServer, path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

/** Token-endpoint call authenticated as the client (Basic for confidential clients, client_id for public ones). */
export async function tokenRequest(server: TestServer, client: RegisteredClient, form: Record<string, string>, path = '/oauth/token'): Promise<Response> {
  if (client.clientSecret !== null) return postForm(server, path, form, { authorization: basicAuthorization(client.id, client.clientSecret) });
  return postForm(server, path, { ...form, client_id: client.id });
}

export interface FlowResult {
  code: string;
  verifier: string;
  state: string;
}

/** Runs authorize → consent (Allow) and answers the code, as a browser would. */
export async function obtainCode(server: TestServer, client: RegisteredClient, cookie: string, scope: string, workspaceId?: string): Promise<FlowResult> {
  const { verifier, challenge } = newPkce();
  const state = newSecret(8);
  const path = authorizePath({ response_type: 'code', client_id: client.id, redirect_uri: client.redirectUris[0], scope, state, code_challenge: challenge, code_challenge_method: 'S256' });
  let response = await getAuthorize(server, path, cookie);
  if (response.status === 200) {
    const html = await response.text();
    response = await postDecision(server, cookie, { csrf_token: csrfTokenOf(html), decision: 'allow', workspace_id: workspaceId ?? workspaceOptionsOf(html)[0] ?? '' });
  }
  const parameters = redirectParameters(response);
  const code = parameters.get('code');
  if (code === null || parameters.get('state') !== state) throw new Error(`no code in ${response.headers.get('location')}`);
  return { code, verifier, state };
}

export interface Tokens {
  access_token: string;
  refresh_token?: string;
  scope: string;
  token_type: string;
  expires_in: number;
}

export async function obtainTokens(server: TestServer, client: RegisteredClient, cookie: string, scope: string, workspaceId?: string): Promise<Tokens> {
  const { code, verifier } = await obtainCode(server, client, cookie, scope, workspaceId);
  const response = await tokenRequest(server, client, { grant_type: 'authorization_code', code, redirect_uri: client.redirectUris[0] ?? '', code_verifier: verifier });
  if (response.status !== 200) throw new Error(`token request failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as Tokens;
}

export async function bearer(server: TestServer, token: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
}
