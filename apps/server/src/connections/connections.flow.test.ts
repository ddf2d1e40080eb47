/**
 * @module connections/connections.flow.test
 * Connecting Google Drive and Dropbox as a user does it — start, the
 * provider's authorize page, the callback — against the emulators; the state
 * is single-use and bound to the session; tokens are stored sealed; members
 * see connections, only admins add them; disconnect revokes at the provider.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { secretBoxFor } from '../outbound/secret-box.js';
import { startConnectionHarness, type ConnectionHarness } from './connection-test-harness.js';

let harness: ConnectionHarness;

beforeAll(async () => {
  harness = await startConnectionHarness();
  // Connecting a provider needs its integration installed in the workspace.
  await harness.install('google-drive');
  await harness.install('dropbox');
});

afterAll(async () => {
  await harness.close();
});

const connectionAnswer = z.object({ id: z.string(), status: z.string(), provider: z.string(), account: z.object({ id: z.string(), email: z.string().nullable() }), scopes: z.array(z.string()) });

describe('connecting an account', () => {
  it.each(['google-drive', 'dropbox'] as const)('%s: code + PKCE flow lands on /connections?connected=<id> and stores the account', async (provider) => {
    const emulator = provider === 'google-drive' ? harness.google : harness.dropbox;
    const before = emulator.tokens.counts.codeRedemptions;
    const { connectionId, callbackLocation } = await harness.connect(provider);
    expect(callbackLocation).toBe(`/connections?connected=${connectionId}`);
    expect(emulator.tokens.counts.codeRedemptions).toBe(before + 1);

    const listed = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections`);
    const items = z.object({ items: z.array(connectionAnswer) }).parse(await listed.json()).items;
    expect(items.find((item) => item.id === connectionId)).toMatchObject({ provider, status: 'active', account: { email: 'user@example.com' } });

    const row = await harness.server.ctx.db.selectFrom('connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow();
    expect(row.access_token_ciphertext).toMatch(/^v1\./);
    expect(row.refresh_token_ciphertext).toMatch(/^v1\./);
    expect(row.key_id).toBe(row.access_token_ciphertext?.split('.')[1]);
    // No plaintext token in the row: the emulator's prefixes never appear.
    expect(JSON.stringify(row)).not.toMatch(/ya29\.|sl\.emu-/);
  });

  it('sends PKCE S256, the state, and the provider-specific offline parameters', async () => {
    const started = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/google-drive/start`, { method: 'POST', body: '{}' });
    const url = new URL(z.object({ authorizeUrl: z.string() }).parse(await started.json()).authorizeUrl);
    expect(url.origin).toBe(harness.google.url);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: 'ferry-google',
      response_type: 'code',
      code_challenge_method: 'S256',
      access_type: 'offline',
      prompt: 'consent',
      redirect_uri: `${harness.server.url}/oauth/callback/google-drive`,
    });
    expect(url.searchParams.get('state')?.length).toBeGreaterThanOrEqual(32);
    const dropbox = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/dropbox/start`, { method: 'POST', body: '{}' });
    const dropboxUrl = new URL(z.object({ authorizeUrl: z.string() }).parse(await dropbox.json()).authorizeUrl);
    expect(dropboxUrl.searchParams.get('token_access_type')).toBe('offline');
  });

  it('refuses a callback with an unknown, reused or expired state with a clear page', async () => {
    const forged = await fetch(`${harness.server.url}/oauth/callback/google-drive?code=abc&state=not-ours`, { headers: { cookie: harness.cookie }, redirect: 'manual' });
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('does not match one Ferry started');

    const started = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/google-drive/start`, { method: 'POST', body: '{}' });
    const authorizeUrl = z.object({ authorizeUrl: z.string() }).parse(await started.json()).authorizeUrl;
    const callback = (await fetch(authorizeUrl, { redirect: 'manual' })).headers.get('location') ?? '';
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${tampered.searchParams.get('state') ?? ''}x`);
    expect((await fetch(tampered, { headers: { cookie: harness.cookie }, redirect: 'manual' })).status).toBe(400);
    // The real callback still works once, then its state is spent.
    expect((await fetch(callback, { headers: { cookie: harness.cookie }, redirect: 'manual' })).status).toBe(302);
    const again = await fetch(callback, { headers: { cookie: harness.cookie }, redirect: 'manual' });
    expect(again.status).toBe(400);

    const late = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/dropbox/start`, { method: 'POST', body: '{}' });
    const lateUrl = z.object({ authorizeUrl: z.string() }).parse(await late.json()).authorizeUrl;
    await harness.server.ctx.db.updateTable('connection_authorizations').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).execute();
    const lateCallback = (await fetch(lateUrl, { redirect: 'manual' })).headers.get('location') ?? '';
    const expired = await fetch(lateCallback, { headers: { cookie: harness.cookie }, redirect: 'manual' });
    expect(expired.status).toBe(400);
    expect(await expired.text()).toContain('expired');
  });

  it('binds the state to the session that started it', async () => {
    const started = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/google-drive/start`, { method: 'POST', body: '{}' });
    const authorizeUrl = z.object({ authorizeUrl: z.string() }).parse(await started.json()).authorizeUrl;
    const callback = (await fetch(authorizeUrl, { redirect: 'manual' })).headers.get('location') ?? '';
    const noSession = await fetch(callback, { redirect: 'manual' });
    expect(noSession.status).toBe(403);
    expect(await noSession.text()).toContain('another Ferry session');
  });

  it('lets members list but not add or remove; hides connections from other workspaces', async () => {
    const outsider = await harness.server.newUser();
    const hidden = await outsider.api(`/api/v1/workspaces/${harness.workspaceId}/connections`);
    expect(hidden.status).toBe(404);
    const addMember = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/members`, { method: 'POST', body: JSON.stringify({ email: outsider.user.email, role: 'member' }) });
    expect(addMember.status).toBe(201);
    expect((await outsider.api(`/api/v1/workspaces/${harness.workspaceId}/connections`)).status).toBe(200);
    const start = await outsider.api(`/api/v1/workspaces/${harness.workspaceId}/connections/dropbox/start`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(start.status).toBe(403);
  });

  it('lists providers with whether they are configured', async () => {
    const answer = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/connection-providers`);
    const items = z.object({ items: z.array(z.object({ id: z.string(), configured: z.boolean() })) }).parse(await answer.json()).items;
    expect(items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'google-drive', configured: true }),
        expect.objectContaining({ id: 'slack', configured: false }),
        expect.objectContaining({ id: 'microsoft', configured: false }),
      ]),
    );
    await harness.install('slack');
    const slack = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/slack/start`, { method: 'POST', body: '{}' });
    expect(slack.status).toBe(409);
    expect(await slack.json()).toMatchObject({ error: { code: 'provider_not_configured', message: expect.stringContaining('FERRY_SLACK_CLIENT_ID') } });
  });

  it('disconnect revokes the grant at the provider, then marks the connection revoked', async () => {
    const { connectionId } = await harness.connect('google-drive');
    const row = await harness.server.ctx.db.selectFrom('connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow();
    const refreshToken = secretBoxFor(harness.server.dataDir).open(row.refresh_token_ciphertext ?? '');
    expect(harness.google.tokens.isRevoked(refreshToken)).toBe(false);
    const removed = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/${connectionId}`, { method: 'DELETE' });
    expect(await removed.json()).toEqual({ ok: true, revokedAtProvider: true });
    expect(harness.google.tokens.isRevoked(refreshToken)).toBe(true);
    const after = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/${connectionId}`);
    expect(await after.json()).toMatchObject({ status: 'revoked' });
    const stored = await harness.server.ctx.db.selectFrom('connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow();
    expect(stored.refresh_token_ciphertext).toBeNull();
    // The same Google account was connected by earlier tests: reconnecting reused its connection.
    const audit = await harness.server.ctx.db.selectFrom('audit').select('action').where('target', '=', connectionId).orderBy('seq').execute();
    expect(audit.at(0)?.action).toBe('connection.connected');
    expect(audit.at(-1)?.action).toBe('connection.disconnected');
  });
});
