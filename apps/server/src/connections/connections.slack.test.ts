/**
 * @module connections/connections.slack.test
 * Connecting Slack as a user does it, against the Slack emulator: OAuth v2
 * with the user scopes in `user_scope` (comma-separated) and PKCE; the
 * account read from auth.test; token rotation (a refresh stores the new
 * refresh token, the spent one is refused at Slack); Slack's HTTP 200
 * `{ok: false, error: "invalid_refresh_token"}` after the user removed the
 * app turns the connection needs_reauth with an event; a rate-limited
 * refresh only backs off; disconnect calls auth.revoke. The tests share
 * one Slack account, so they share one connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { secretBoxFor } from '../outbound/secret-box.js';
import { startConnectionHarness, type ConnectionHarness } from './connection-test-harness.js';

let harness: ConnectionHarness;

beforeAll(async () => {
  // verifyPkce: the emulator binds the challenge, so a connect proves Ferry sends the right verifier.
  harness = await startConnectionHarness({}, undefined, { slack: { verifyPkce: true, team: { id: 'T0FERRY', name: 'Acme', domain: 'acme' }, user: { id: 'U0ADA', name: 'ada' } } });
  // Connecting a provider needs its integration installed in the workspace.
  await harness.install('slack');
});

afterAll(async () => {
  await harness.close();
});

function slack() {
  if (harness.slack === null) throw new Error('the Slack emulator was not started');
  return harness.slack;
}

const connectionSchema = z.object({ id: z.string(), status: z.string(), provider: z.string(), account: z.object({ id: z.string(), email: z.string().nullable(), name: z.string().nullable() }), scopes: z.array(z.string()) });
const shown = async (connectionId: string) => connectionSchema.passthrough().parse(await (await harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/${connectionId}`)).json());
const check = (connectionId: string) => harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/${connectionId}/check`, { method: 'POST' });

async function storedTokens(connectionId: string): Promise<{ access: string; refresh: string | null; expiresAt: string | null }> {
  const row = await harness.server.ctx.db.selectFrom('connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow();
  const box = secretBoxFor(harness.server.dataDir);
  return { access: box.open(row.access_token_ciphertext ?? ''), refresh: row.refresh_token_ciphertext === null ? null : box.open(row.refresh_token_ciphertext), expiresAt: row.access_token_expires_at };
}

describe('connecting Slack', () => {
  it('asks for user scopes with PKCE and stores the account auth.test names', async () => {
    const started = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/slack/start`, { method: 'POST', body: '{}' });
    const url = new URL(z.object({ authorizeUrl: z.string() }).parse(await started.json()).authorizeUrl);
    expect(url.origin + url.pathname).toBe(`${slack().url}/oauth/v2/authorize`);
    expect(url.searchParams.get('user_scope')).toBe('files:read,files:write,chat:write,channels:read');
    expect(url.searchParams.get('scope')).toBeNull();
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');

    const before = slack().tokens.counts.codeRedemptions;
    const { connectionId, callbackLocation } = await harness.connect('slack');
    expect(callbackLocation).toBe(`/connections?connected=${connectionId}`);
    expect(slack().tokens.counts.codeRedemptions).toBe(before + 1);
    const connection = await shown(connectionId);
    expect(connection).toMatchObject({ provider: 'slack', status: 'active', account: { id: 'T0FERRY:U0ADA', email: null, name: 'ada (Acme)' } });
    expect(connection.scopes).toEqual(['files:read', 'files:write', 'chat:write', 'channels:read']);

    const tokens = await storedTokens(connectionId);
    expect(slack().tokens.check(tokens.access)).toBe('valid');
    expect(tokens.refresh).not.toBeNull();
    // Rotating tokens live 12 hours.
    expect(Date.parse(tokens.expiresAt ?? '')).toBeGreaterThan(Date.now() + 11 * 3600_000);
    const row = await harness.server.ctx.db.selectFrom('connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain('xoxe');
  });

  it('refreshes with rotation: the new refresh token is stored and the spent one is refused at Slack', async () => {
    const { connectionId } = await harness.connect('slack');
    const first = await storedTokens(connectionId);
    await harness.server.ctx.db.updateTable('connections').set({ access_token_expires_at: new Date(Date.now() + 10_000).toISOString() }).where('id', '=', connectionId).execute();
    const refreshes = slack().tokens.counts.refreshes;
    expect((await check(connectionId)).status).toBe(200);
    expect(slack().tokens.counts.refreshes).toBe(refreshes + 1);
    const second = await storedTokens(connectionId);
    expect(second.access).not.toBe(first.access);
    expect(second.refresh).not.toBe(first.refresh);
    expect(slack().tokens.check(second.access)).toBe('valid');
    const spent = await fetch(`${slack().url}/api/oauth.v2.access`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: first.refresh ?? '', client_id: '1111.2222', client_secret: 'slk-9d4e7a-client-secret-slack' }),
    });
    expect(await spent.json()).toEqual({ ok: false, error: 'invalid_refresh_token' });
  });

  it('the user removed the app: invalid_refresh_token turns the connection needs_reauth with an event; reconnecting restores it', async () => {
    const { connectionId } = await harness.connect('slack');
    expect(slack().revokeGrants()).toBeGreaterThanOrEqual(1);
    const answer = await check(connectionId);
    expect(answer.status).toBe(409);
    expect(await answer.json()).toMatchObject({ error: { code: 'connection_needs_reauth' } });
    expect(await shown(connectionId)).toMatchObject({ status: 'needs_reauth', action: expect.stringContaining('reconnect') });
    const feed = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/events?cursor=0`);
    const events = z.object({ events: z.array(z.object({ type: z.string(), data: z.record(z.string(), z.unknown()).optional() })) }).parse(await feed.json()).events;
    const reauth = events.filter((event) => event.type === 'connection.needs_reauth' && event.data?.connectionId === connectionId);
    expect(reauth).toHaveLength(1);
    expect(String(reauth[0]?.data?.reason)).toContain('invalid_refresh_token');

    const again = await harness.connect('slack');
    expect(again.connectionId).toBe(connectionId);
    expect(await shown(connectionId)).toMatchObject({ status: 'active' });
  });

  it('disconnect calls auth.revoke (refreshing an expired token first) and forgets the tokens', async () => {
    const { connectionId } = await harness.connect('slack');
    const tokens = await storedTokens(connectionId);
    slack().expireTokens();
    const revocations = slack().tokens.counts.revocations;
    const refreshes = slack().tokens.counts.refreshes;
    const removed = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/${connectionId}`, { method: 'DELETE' });
    expect(await removed.json()).toEqual({ ok: true, revokedAtProvider: true });
    expect(slack().tokens.counts.refreshes).toBe(refreshes + 1);
    expect(slack().tokens.counts.revocations).toBe(revocations + 1);
    // The expired token was traded once (spending that refresh token), and the fresh grant revoked.
    const reuse = await fetch(`${slack().url}/api/oauth.v2.access`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh ?? '', client_id: '1111.2222', client_secret: 'slk-9d4e7a-client-secret-slack' }),
    });
    expect(await reuse.json()).toEqual({ ok: false, error: 'invalid_refresh_token' });
    expect(await shown(connectionId)).toMatchObject({ status: 'revoked' });
    const audit = await harness.server.ctx.db.selectFrom('audit').select(['action', 'details']).where('target', '=', connectionId).orderBy('seq').execute();
    expect(audit.at(-1)?.action).toBe('connection.disconnected');
  });
  it('a rate-limited refresh backs off and keeps the connection active', async () => {
    const { connectionId } = await harness.connect('slack');
    await harness.server.ctx.db.updateTable('connections').set({ access_token_expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', connectionId).execute();
    slack().faults.push({ match: { path: '/api/oauth.v2.access' }, status: 429, retryAfter: 90 });
    expect((await check(connectionId)).status).toBe(502);
    const row = await harness.server.ctx.db.selectFrom('connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow();
    expect(row.status).toBe('active');
    expect(Date.parse(row.refresh_not_before ?? '')).toBeGreaterThan(Date.now() + 60_000);
    // Slack's Retry-After also holds back this connection's next calls in this process, so this test runs last.
  });
});
