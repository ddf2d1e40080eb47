import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/index.js';

interface ErrorBody {
  error: { code: string; message: string };
}

const json = { 'content-type': 'application/json' };
const cookieWrite = { ...json, 'x-ferry-request': '1' };

function sessionCookieOf(response: Response): string {
  const header = response.headers.getSetCookie().find((value) => value.startsWith('ferry_session='));
  if (!header) throw new Error('no session cookie set');
  return header;
}

function cookiePair(setCookie: string): string {
  return setCookie.split(';')[0] ?? '';
}

describe('first-run set-up, sign-in and sessions', () => {
  let server: TestServer;
  afterEach(async () => {
    await server.close();
  });

  it('sets up the first owner once, with an HttpOnly strict session cookie', async () => {
    server = await startTestServer();
    expect(await (await fetch(`${server.url}/api/v1/auth/setup`)).json()).toEqual({ needed: true });
    const first = await fetch(`${server.url}/api/v1/auth/setup`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'owner@example.test', password: 'a long password', workspaceName: 'Team' }),
    });
    expect(first.status).toBe(201);
    const me = (await first.json()) as { user: { email: string }; workspaces: { name: string; role: string }[] };
    expect(me.user.email).toBe('owner@example.test');
    expect(me.workspaces).toMatchObject([{ name: 'Team', role: 'owner' }]);
    const setCookie = sessionCookieOf(first);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).toMatch(/Max-Age=2592000/);
    expect(setCookie).not.toMatch(/Secure/);

    const meByCookie = await fetch(`${server.url}/api/v1/me`, { headers: { cookie: cookiePair(setCookie) } });
    expect(meByCookie.status).toBe(200);
    expect(((await meByCookie.json()) as { user: { email: string } }).user.email).toBe('owner@example.test');

    expect(await (await fetch(`${server.url}/api/v1/auth/setup`)).json()).toEqual({ needed: false });
    const second = await fetch(`${server.url}/api/v1/auth/setup`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'intruder@example.test', password: 'another password' }),
    });
    expect(second.status).toBe(409);
    expect(((await second.json()) as ErrorBody).error.code).toBe('already_set_up');
  });

  it('lets exactly one of two racing set-ups win', async () => {
    server = await startTestServer();
    const racing = await Promise.all(
      ['racer1@example.test', 'racer2@example.test'].map((email) =>
        fetch(`${server.url}/api/v1/auth/setup`, { method: 'POST', headers: json, body: JSON.stringify({ email, password: 'a long password' }) }),
      ),
    );
    expect(racing.map((response) => response.status).sort()).toEqual([201, 409]);
    const users = await server.ctx.db.selectFrom('users').select('email').execute();
    expect(users).toHaveLength(1);
  });

  it('signs in with the right password only, audits every attempt, and limits failures per minute', async () => {
    server = await startTestServer({ loginRateLimitPerMinute: 3 });
    const { user } = await server.newUser('sam@example.test', 'sams password');
    const login = (email: string, password: string) =>
      fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ email, password }) });

    const good = await login('SAM@example.test', 'sams password');
    expect(good.status).toBe(200);
    expect(sessionCookieOf(good)).toMatch(/HttpOnly/);

    const wrong = await login('sam@example.test', 'not it');
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as ErrorBody).error.code).toBe('invalid_credentials');
    expect(wrong.headers.getSetCookie()).toEqual([]);
    const unknown = await login('nobody@example.test', 'not it');
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as ErrorBody).error.code).toBe('invalid_credentials');

    await login('sam@example.test', 'not it');
    await login('sam@example.test', 'not it');
    const limited = await login('sam@example.test', 'sams password');
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as ErrorBody).error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another email from the same client is not locked out.
    expect((await login('nobody@example.test', 'still wrong')).status).toBe(401);

    const audit = await server.ctx.db.selectFrom('audit').selectAll().where('action', 'like', 'auth.%').orderBy('seq').execute();
    expect(audit.map((row) => row.action)).toEqual([
      'auth.login',
      'auth.login_failed',
      'auth.login_failed',
      'auth.login_failed',
      'auth.login_failed',
      'auth.login_failed',
      'auth.login_failed',
    ]);
    expect(audit[0]?.actor_id).toBe(user.id);
    const everything = JSON.stringify(await server.ctx.db.selectFrom('audit').selectAll().execute());
    expect(everything).not.toContain('sams password');
    expect(everything).not.toContain('not it');
  });

  it('refuses cookie-signed writes without the CSRF header, and logout ends the session', async () => {
    server = await startTestServer();
    await server.newUser('kim@example.test', 'kims password');
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'kim@example.test', password: 'kims password' }),
    });
    const cookie = cookiePair(sessionCookieOf(login));
    const secret = cookie.split('=')[1] ?? '';
    const stored = await server.ctx.db.selectFrom('sessions').select('id').execute();
    expect(stored.map((row) => row.id)).not.toContain(secret);

    const noHeader = await fetch(`${server.url}/api/v1/workspaces`, { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ name: 'x' }) });
    expect(noHeader.status).toBe(403);
    expect(((await noHeader.json()) as ErrorBody).error.code).toBe('csrf_failed');
    const withHeader = await fetch(`${server.url}/api/v1/workspaces`, { method: 'POST', headers: { ...cookieWrite, cookie }, body: JSON.stringify({ name: 'x' }) });
    expect(withHeader.status).toBe(201);

    const logout = await fetch(`${server.url}/api/v1/auth/logout`, { method: 'POST', headers: { 'x-ferry-request': '1', cookie } });
    expect(logout.status).toBe(200);
    expect(sessionCookieOf(logout)).toMatch(/ferry_session=;|Expires=Thu, 01 Jan 1970/);
    const after = await fetch(`${server.url}/api/v1/me`, { headers: { cookie } });
    expect(after.status).toBe(401);
    const actions = await server.ctx.db.selectFrom('audit').select('action').where('action', '=', 'auth.logout').execute();
    expect(actions).toHaveLength(1);
  });
});

describe('personal API tokens', () => {
  let server: TestServer;
  afterEach(async () => {
    await server.close();
  });

  it('creates a token shown once, lists it without the secret, and revokes it at once', async () => {
    server = await startTestServer();
    const alice = await server.newUser();
    const bob = await server.newUser();
    const created = await alice.api('/api/v1/tokens', { method: 'POST', headers: json, body: JSON.stringify({ name: 'laptop', expiresInDays: 30 }) });
    expect(created.status).toBe(201);
    const token = (await created.json()) as { id: string; token: string; prefix: string; expiresAt: string | null };
    expect(token.token).toMatch(/^fry_/);
    expect(token.token.startsWith(token.prefix)).toBe(true);
    expect(token.expiresAt).not.toBeNull();

    const useIt = () => fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token.token}` } });
    expect((await useIt()).status).toBe(200);

    const listText = await (await alice.api('/api/v1/tokens')).text();
    const list = JSON.parse(listText) as { items: { id: string; name: string }[] };
    expect(list.items.map((item) => item.name).sort()).toEqual(['laptop', 'test']);
    expect(listText).not.toContain(token.token);

    const stolen = await bob.api(`/api/v1/tokens/${token.id}`, { method: 'DELETE' });
    expect(stolen.status).toBe(404);
    expect(((await stolen.json()) as ErrorBody).error.code).toBe('token_not_found');
    expect((await useIt()).status).toBe(200);

    const revoked = await alice.api(`/api/v1/tokens/${token.id}`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    const refused = await useIt();
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as ErrorBody).error.code).toBe('unauthenticated');
    const again = await alice.api(`/api/v1/tokens/${token.id}`, { method: 'DELETE' });
    expect(again.status).toBe(404);
    const names = ((await (await alice.api('/api/v1/tokens')).json()) as { items: { name: string }[] }).items.map((item) => item.name);
    expect(names).toEqual(['test']);
  });
});
