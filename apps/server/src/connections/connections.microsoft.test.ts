/**
 * @module connections/connections.microsoft.test
 * Connecting Microsoft 365 as a user does it, against the Microsoft
 * emulator: the v2.0 code flow with PKCE, offline_access and
 * response_mode=query; the account read from Graph /me; refresh with
 * rotation (the refresh names its scopes, the new refresh token is stored);
 * a revoked grant (AADSTS50173) or interaction_required turns the
 * connection needs_reauth with an event; disconnect calls Graph's revokeSignInSessions — which ends the
 * grant when the connection holds User.RevokeSessions.All, and is refused
 * (403, recorded in the audit entry) when it does not. The tests share one
 * Microsoft account, so they share one connection until it is disconnected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { secretBoxFor } from '../outbound/secret-box.js';
import { startConnectionHarness, type ConnectionHarness } from './connection-test-harness.js';
import { providerCatalog } from './provider-catalog.js';

let harness: ConnectionHarness;
const scopes = [...providerCatalog.microsoft.scopes, 'User.RevokeSessions.All'];

beforeAll(async () => {
  harness = await startConnectionHarness({}, undefined, {
    microsoft: { scopes, user: { displayName: 'Megan Bowen', userPrincipalName: 'megan@contoso.test', mail: 'megan@contoso.test' } },
  });
  // Connecting a provider needs its integration installed in the workspace.
  await harness.install('outlook');
});

afterAll(async () => {
  await harness.close();
});

function microsoft() {
  if (harness.microsoft === null) throw new Error('the Microsoft emulator was not started');
  return harness.microsoft;
}

const connectionSchema = z.object({ id: z.string(), status: z.string(), provider: z.string(), account: z.object({ id: z.string(), email: z.string().nullable(), name: z.string().nullable() }), scopes: z.array(z.string()) });
const shown = async (connectionId: string) => connectionSchema.passthrough().parse(await (await harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/${connectionId}`)).json());
const check = (connectionId: string) => harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/${connectionId}/check`, { method: 'POST' });

async function storedTokens(connectionId: string): Promise<{ access: string; refresh: string }> {
  const row = await harness.server.ctx.db.selectFrom('connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow();
  const box = secretBoxFor(harness.server.dataDir);
  return { access: box.open(row.access_token_ciphertext ?? ''), refresh: box.open(row.refresh_token_ciphertext ?? '') };
}

describe('connecting Microsoft 365', () => {
  it('runs the v2.0 code flow with PKCE and offline_access, and stores the account Graph /me names', async () => {
    const started = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/microsoft/start`, { method: 'POST', body: '{}' });
    const url = new URL(z.object({ authorizeUrl: z.string() }).parse(await started.json()).authorizeUrl);
    expect(url.origin + url.pathname).toBe(`${microsoft().url}/common/oauth2/v2.0/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ response_type: 'code', response_mode: 'query', code_challenge_method: 'S256', scope: scopes.join(' ') });

    const { connectionId, callbackLocation } = await harness.connect('microsoft');
    expect(callbackLocation).toBe(`/connections?connected=${connectionId}`);
    const connection = await shown(connectionId);
    expect(connection).toMatchObject({ provider: 'microsoft', status: 'active', account: { id: microsoft().user.id, email: 'megan@contoso.test', name: 'Megan Bowen' } });
    expect(connection.scopes).toEqual(expect.arrayContaining(['User.Read', 'Files.ReadWrite']));
    const tokens = await storedTokens(connectionId);
    expect(microsoft().tokens.check(tokens.access)).toBe('valid');
    const row = await harness.server.ctx.db.selectFrom('connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain('emu-');
  });

  it('refreshes before expiry with the scopes named; the rotated refresh token is stored', async () => {
    const { connectionId } = await harness.connect('microsoft');
    const first = await storedTokens(connectionId);
    await harness.server.ctx.db.updateTable('connections').set({ access_token_expires_at: new Date(Date.now() + 10_000).toISOString() }).where('id', '=', connectionId).execute();
    const refreshes = microsoft().tokens.counts.refreshes;
    expect((await check(connectionId)).status).toBe(200);
    expect(microsoft().tokens.counts.refreshes).toBe(refreshes + 1);
    const second = await storedTokens(connectionId);
    expect(second.access).not.toBe(first.access);
    expect(second.refresh).not.toBe(first.refresh);
    expect(microsoft().tokens.check(second.access)).toBe('valid');
  });

  it('sessions revoked at Microsoft: invalid_grant turns the connection needs_reauth with an event; reconnecting restores it', async () => {
    const { connectionId } = await harness.connect('microsoft');
    microsoft().revokeGrants();
    const answer = await check(connectionId);
    expect(answer.status).toBe(409);
    expect(await answer.json()).toMatchObject({ error: { code: 'connection_needs_reauth', message: expect.stringContaining('econnect') } });
    expect(await shown(connectionId)).toMatchObject({ status: 'needs_reauth', action: expect.stringContaining('reconnect') });
    const feed = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/events?cursor=0`);
    const events = z.object({ events: z.array(z.object({ type: z.string(), data: z.record(z.string(), z.unknown()).optional() })) }).parse(await feed.json()).events;
    expect(events.filter((event) => event.type === 'connection.needs_reauth' && event.data?.connectionId === connectionId)).toHaveLength(1);
    const audit = await harness.server.ctx.db.selectFrom('audit').select('action').where('target', '=', connectionId).execute();
    expect(audit.map((entry) => entry.action)).toContain('connection.refresh_failed');

    expect((await harness.connect('microsoft')).connectionId).toBe(connectionId);
    expect(await shown(connectionId)).toMatchObject({ status: 'active' });
  });

  it('interaction_required at refresh (MFA, conditional access) also asks the user to reconnect', async () => {
    const { connectionId } = await harness.connect('microsoft');
    await harness.server.ctx.db.updateTable('connections').set({ access_token_expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', connectionId).execute();
    microsoft().faults.push({ match: { path: '/common/oauth2/v2.0/token' }, status: 400, reason: 'interaction_required' });
    const answer = await check(connectionId);
    expect(answer.status).toBe(409);
    expect(await answer.json()).toMatchObject({ error: { code: 'connection_needs_reauth', message: expect.stringContaining('interaction_required') } });
    expect((await harness.connect('microsoft')).connectionId).toBe(connectionId);
    expect(await shown(connectionId)).toMatchObject({ status: 'active' });
  });

  it('disconnect records a refused revokeSignInSessions (403) and still forgets the tokens', async () => {
    const { connectionId } = await harness.connect('microsoft');
    const tokens = await storedTokens(connectionId);
    microsoft().faults.push({ match: { path: '/v1.0/me/revokeSignInSessions' }, status: 403, reason: 'Authorization_RequestDenied' });
    const removed = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/${connectionId}`, { method: 'DELETE' });
    expect(await removed.json()).toEqual({ ok: true, revokedAtProvider: false });
    expect(microsoft().tokens.isRevoked(tokens.refresh)).toBe(false);
    expect(await shown(connectionId)).toMatchObject({ status: 'revoked' });
    const audit = await harness.server.ctx.db.selectFrom('audit').select(['action', 'details']).where('target', '=', connectionId).orderBy('seq').execute();
    expect(audit.at(-1)?.action).toBe('connection.disconnected');
    expect(JSON.stringify(audit.at(-1)?.details)).toContain('User.RevokeSessions.All');
  });

  it('disconnect calls revokeSignInSessions (refreshing an expired token first), so the grant is dead at Microsoft', async () => {
    const { connectionId } = await harness.connect('microsoft');
    const tokens = await storedTokens(connectionId);
    microsoft().expireTokens();
    const removed = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/${connectionId}`, { method: 'DELETE' });
    expect(await removed.json()).toEqual({ ok: true, revokedAtProvider: true });
    expect(microsoft().tokens.isRevoked(tokens.refresh)).toBe(true);
    expect(await shown(connectionId)).toMatchObject({ status: 'revoked' });
  });
});
