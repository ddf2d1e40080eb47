/**
 * @module oauth/authorize-flow.test
 * The front channel as a browser meets it: sign-in redirect, consent page,
 * Allow/Deny, remembered consent, and strict request validation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../testing/index.js';
import {
  authorizePath,
  bearer,
  csrfTokenOf,
  getAuthorize,
  newPkce,
  obtainCode,
  obtainTokens,
  postDecision,
  redirectParameters,
  redirectUri,
  registerTestClient,
  signIn,
  tokenRequest,
  workspaceOptionsOf,
  type RegisteredClient,
} from './oauth-test-harness.js';

let server: TestServer;
let owner: TestUser;
let client: RegisteredClient;
let cookie: string;

beforeAll(async () => {
  server = await startTestServer();
  owner = await server.newUser();
  client = await registerTestClient(owner, { name: 'Zapier <Test>' });
  cookie = await signIn(server, owner.user.id);
});
afterAll(async () => {
  await server.close();
});

function validRequest(overrides: Record<string, string | undefined> = {}) {
  const { challenge } = newPkce();
  return authorizePath({
    response_type: 'code',
    client_id: client.id,
    redirect_uri: redirectUri,
    scope: 'files:read',
    state: 'xyz-123',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...overrides,
  });
}

describe('GET /oauth/authorize', () => {
  it('sends a signed-out browser to the console sign-in with the request in `next`', async () => {
    const path = validRequest();
    const response = await getAuthorize(server, path);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`/?next=${encodeURIComponent(path)}`);
  });

  it('renders an accessible consent page with the client, the scopes in words and the workspace', async () => {
    const response = await getAuthorize(server, validRequest({ scope: 'files:read files:write' }), cookie);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("form-action 'self' https://app.example.test");
    const html = await response.text();
    expect(html).toContain('Zapier &lt;Test&gt;');
    expect(html).not.toContain('<script');
    expect(html).toContain('See your files and folders');
    expect(html).toContain('Create, change, move and delete files and folders');
    expect(html).toMatch(/<label for="workspace">/);
    expect(html).toMatch(/<select id="workspace" name="workspace_id"/);
    expect(html).toContain(`>${owner.workspace.name.replace(/'/g, '&#39;')}</option>`);
    expect(html).toMatch(/<button type="submit" name="decision" value="allow">Allow<\/button>/);
    expect(html).toMatch(/<button type="submit" name="decision" value="deny">Deny<\/button>/);
    expect(html).toContain('action="/oauth/authorize/decision"');
    expect(csrfTokenOf(html)).toMatch(/^[\w-]{43}$/);
  });

  it('Deny sends access_denied with the state back to the client', async () => {
    const html = await (await getAuthorize(server, validRequest(), cookie)).text();
    const response = await postDecision(server, cookie, { csrf_token: csrfTokenOf(html), decision: 'deny' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')?.startsWith(`${redirectUri}?`)).toBe(true);
    const parameters = redirectParameters(response);
    expect(parameters.get('error')).toBe('access_denied');
    expect(parameters.get('state')).toBe('xyz-123');
    expect(parameters.get('code')).toBeNull();
  });

  it('refuses a decision without the CSRF token of this session, and a token used twice', async () => {
    const html = await (await getAuthorize(server, validRequest(), cookie)).text();
    const token = csrfTokenOf(html);
    const otherUser = await server.newUser();
    const otherCookie = await signIn(server, otherUser.user.id);
    const forged = await postDecision(server, otherCookie, { csrf_token: token, decision: 'allow', workspace_id: otherUser.workspace.id });
    expect(forged.status).toBe(400);
    expect(forged.headers.get('location')).toBeNull();
    const missing = await postDecision(server, cookie, { decision: 'allow', workspace_id: owner.workspace.id });
    expect(missing.status).toBe(400);
    const first = await postDecision(server, cookie, { csrf_token: token, decision: 'deny' });
    expect(first.status).toBe(302);
    const again = await postDecision(server, cookie, { csrf_token: token, decision: 'deny' });
    expect(again.status).toBe(400);
  });

  it('remembers consent: a repeat request with no new scope skips the page; a new scope asks again', async () => {
    const user = await server.newUser();
    const userCookie = await signIn(server, user.user.id);
    const first = await getAuthorize(server, validRequest({ scope: 'files:read' }), userCookie);
    expect(first.status).toBe(200);
    const html = await first.text();
    const allowed = await postDecision(server, userCookie, { csrf_token: csrfTokenOf(html), decision: 'allow', workspace_id: user.workspace.id });
    expect(allowed.status).toBe(302);
    expect(redirectParameters(allowed).get('code')).toMatch(/^[\w-]{43}$/);
    expect(redirectParameters(allowed).get('iss')).toBe(server.url);

    const repeat = await getAuthorize(server, validRequest({ scope: 'files:read', state: 'again' }), userCookie);
    expect(repeat.status).toBe(302);
    expect(redirectParameters(repeat).get('code')).toMatch(/^[\w-]{43}$/);
    expect(redirectParameters(repeat).get('state')).toBe('again');

    const wider = await getAuthorize(server, validRequest({ scope: 'files:read files:write' }), userCookie);
    expect(wider.status).toBe(200);
    const widerHtml = await wider.text();
    expect(widerHtml).toMatch(/Create, change, move and delete files and folders <span class="new">new<\/span>/);
    expect(widerHtml).not.toMatch(/See your files and folders, download them, and follow changes to them <span class="new">/);

    const forced = await getAuthorize(server, validRequest({ scope: 'files:read', prompt: 'consent' }), userCookie);
    expect(forced.status).toBe(200);

    const audit = await server.ctx.db.selectFrom('audit').selectAll().where('action', '=', 'oauth.consent_granted').where('actor_id', '=', user.user.id).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.target).toBe(client.id);
  });

  it('shows an error page, never a redirect, for an unknown client or an unregistered redirect_uri', async () => {
    const cases = [
      validRequest({ client_id: 'cli_doesnotexist' }),
      validRequest({ client_id: undefined }),
      validRequest({ redirect_uri: 'https://evil.example.test/callback' }),
      validRequest({ redirect_uri: `${redirectUri}/more` }),
      validRequest({ redirect_uri: undefined }),
      `${validRequest()}&client_id=${client.id}`,
    ];
    for (const path of cases) {
      const response = await getAuthorize(server, path, cookie);
      expect(response.status, path).toBe(400);
      expect(response.headers.get('location'), path).toBeNull();
      const html = await response.text();
      expect(html).toContain('Ferry cannot continue this sign-in');
      expect(html).not.toContain('evil.example.test');
    }
  });

  it('redirects other errors to the client with error and state', async () => {
    const cases: [Record<string, string | undefined>, string][] = [
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ response_type: undefined }, 'invalid_request'],
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ code_challenge_method: undefined }, 'invalid_request'],
      [{ code_challenge: 'too-short' }, 'invalid_request'],
      [{ scope: 'files:read admin:everything' }, 'invalid_scope'],
      [{ scope: 'shares:write' }, 'invalid_scope'],
      [{ scope: undefined }, 'invalid_scope'],
    ];
    for (const [overrides, error] of cases) {
      const response = await getAuthorize(server, validRequest(overrides), cookie);
      expect(response.status, JSON.stringify(overrides)).toBe(302);
      const parameters = redirectParameters(response);
      expect(parameters.get('error'), JSON.stringify(overrides)).toBe(error);
      expect(parameters.get('state')).toBe('xyz-123');
    }
  });

  it('requires PKCE from public clients, and runs the whole flow for them without a secret', async () => {
    const loopback = 'http://127.0.0.1/desktop/callback';
    const desktop = await registerTestClient(owner, { type: 'public', name: 'Ferry Desktop', redirectUris: [loopback] });
    expect(desktop.clientSecret).toBeNull();
    const noPkce = await getAuthorize(server, authorizePath({ response_type: 'code', client_id: desktop.id, redirect_uri: 'http://127.0.0.1:53682/desktop/callback', scope: 'files:read', state: 's' }), cookie);
    expect(redirectParameters(noPkce).get('error')).toBe('invalid_request');

    // RFC 8252: a loopback redirect URI matches on any port.
    const withPort = { ...desktop, redirectUris: ['http://127.0.0.1:53682/desktop/callback'] };
    const tokens = await obtainTokens(server, withPort, cookie, 'files:read offline_access');
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.refresh_token).toMatch(/^frt_/);
    const me = await bearer(server, tokens.access_token, '/api/v1/me');
    expect(me.status).toBe(200);
  });

  it('answers the code flow end to end: code → tokens → API calls as the user', async () => {
    const { code, verifier } = await obtainCode(server, client, cookie, 'files:read offline_access');
    const response = await tokenRequest(server, client, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'files:read offline_access' });
    expect(body.access_token).toMatch(/^fat_/);
    expect(body.refresh_token).toMatch(/^frt_/);
    const children = await bearer(server, String(body.access_token), `/api/v1/nodes/${owner.workspace.rootFolderId}/children`);
    expect(children.status).toBe(200);
  });

  it('lets the user choose among their workspaces', async () => {
    const second = await owner.api('/api/v1/workspaces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Second' }) });
    expect(second.status).toBe(201);
    const secondId = ((await second.json()) as { id: string }).id;
    const html = await (await getAuthorize(server, validRequest({ prompt: 'consent' }), cookie)).text();
    expect(workspaceOptionsOf(html)).toEqual(expect.arrayContaining([owner.workspace.id, secondId]));
    const notMine = await postDecision(server, cookie, { csrf_token: csrfTokenOf(html), decision: 'allow', workspace_id: 'wsp_notmine' });
    expect(notMine.status).toBe(400);
  });
});
