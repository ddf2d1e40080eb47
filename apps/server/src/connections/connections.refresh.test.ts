/**
 * @module connections/connections.refresh.test
 * Tokens over time: refreshed before they expire (a refresh answer without a
 * refresh token keeps the old one), a grant revoked at the provider turns the
 * connection needs_reauth with an event in the feed, a provider's 429 backs
 * off, and no token ever shows in an answer, the audit log or the feed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { secretBoxFor } from '../outbound/secret-box.js';
import { connectionTokenProvider } from './token-refresher.js';
import { startConnectionHarness, type ConnectionHarness } from './connection-test-harness.js';

let harness: ConnectionHarness;
const seenTokens = new Set<string>();

beforeAll(async () => {
  harness = await startConnectionHarness();
  // Connecting a provider needs its integration installed in the workspace.
  await harness.install('google-drive');
  await harness.install('dropbox');
});

afterAll(async () => {
  await harness.close();
});

async function storedTokens(connectionId: string): Promise<{ access: string; refresh: string; expiresAt: string | null }> {
  const row = await harness.server.ctx.db.selectFrom('connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow();
  const box = secretBoxFor(harness.server.dataDir);
  const tokens = { access: box.open(row.access_token_ciphertext ?? ''), refresh: box.open(row.refresh_token_ciphertext ?? ''), expiresAt: row.access_token_expires_at };
  seenTokens.add(tokens.access);
  seenTokens.add(tokens.refresh);
  return tokens;
}

function expireSoon(connectionId: string, inMs: number) {
  return harness.server.ctx.db.updateTable('connections').set({ access_token_expires_at: new Date(Date.now() + inMs).toISOString() }).where('id', '=', connectionId).execute();
}

const check = (connectionId: string) => harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/${connectionId}/check`, { method: 'POST' });

describe('token refresh', () => {
  it('refreshes 60 s before expiry and keeps the refresh token when the answer has none', async () => {
    const { connectionId } = await harness.connect('google-drive');
    const first = await storedTokens(connectionId);
    const refreshes = harness.google.tokens.counts.refreshes;
    expect((await check(connectionId)).status).toBe(200);
    expect(harness.google.tokens.counts.refreshes).toBe(refreshes);

    await expireSoon(connectionId, 30_000);
    const checked = await check(connectionId);
    expect(checked.status).toBe(200);
    expect(harness.google.tokens.counts.refreshes).toBe(refreshes + 1);
    const second = await storedTokens(connectionId);
    expect(second.access).not.toBe(first.access);
    expect(second.refresh).toBe(first.refresh);
    expect(Date.parse(second.expiresAt ?? '')).toBeGreaterThan(Date.now() + 3000_000);
    expect(harness.google.tokens.check(second.access)).toBe('valid');

    // As a sync driver's token source: the same token until the provider refuses it, then a fresh one.
    const tokens = connectionTokenProvider(harness.server.ctx, connectionId);
    expect(await tokens({ forceRefresh: false })).toBe(second.access);
    const forced = await tokens({ forceRefresh: true });
    expect(forced).not.toBe(second.access);
    expect(harness.google.tokens.counts.refreshes).toBe(refreshes + 2);
    seenTokens.add(forced);
  });

  it('a grant revoked at the provider turns the connection needs_reauth at once, with an event and an audit entry', async () => {
    const { connectionId } = await harness.connect('dropbox');
    const tokens = await storedTokens(connectionId);
    harness.dropbox.tokens.revoke(tokens.refresh);
    const answer = await check(connectionId);
    expect(answer.status).toBe(409);
    expect(await answer.json()).toMatchObject({ error: { code: 'connection_needs_reauth', message: expect.stringContaining('econnect') } });
    const shown = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/${connectionId}`);
    expect(await shown.json()).toMatchObject({ status: 'needs_reauth', action: expect.stringContaining('reconnect') });
    const feed = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/events?cursor=0`);
    const events = z.object({ events: z.array(z.object({ type: z.string(), data: z.record(z.string(), z.unknown()).optional() })) }).parse(await feed.json()).events;
    expect(events.filter((event) => event.type === 'connection.needs_reauth').map((event) => event.data?.connectionId)).toEqual([connectionId]);
    const audit = await harness.server.ctx.db.selectFrom('audit').select(['action', 'details']).where('target', '=', connectionId).execute();
    expect(audit.map((entry) => entry.action)).toContain('connection.refresh_failed');

    // Reconnecting the same account brings the same connection back.
    const again = await harness.connect('dropbox');
    expect(again.connectionId).toBe(connectionId);
    expect(await (await harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/${connectionId}`)).json()).toMatchObject({ status: 'active', action: null });
    await storedTokens(connectionId);
  });

  it("backs off after the provider's 429 with Retry-After, and audits the failure", async () => {
    const { connectionId } = await harness.connect('google-drive');
    await expireSoon(connectionId, -1000);
    harness.google.faults.push({ match: { path: '/token' }, status: 429, retryAfter: 120 });
    const refused = await check(connectionId);
    expect(refused.status).toBe(502);
    const row = await harness.server.ctx.db.selectFrom('connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow();
    expect(Date.parse(row.refresh_not_before ?? '')).toBeGreaterThan(Date.now() + 100_000);
    expect(row.status).toBe('active');
    const refreshes = harness.google.tokens.counts.refreshes;
    expect((await check(connectionId)).status).toBe(502);
    expect(harness.google.tokens.counts.refreshes).toBe(refreshes);
    const audit = await harness.server.ctx.db.selectFrom('audit').select('action').where('target', '=', connectionId).execute();
    expect(audit.map((entry) => entry.action)).toContain('connection.refresh_failed');
  });

  it('never shows a token in an answer, the feed or the audit log', async () => {
    const feed = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/events?cursor=0`);
    const audit = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/audit`);
    expect(feed.status).toBe(200);
    expect(audit.status).toBe(200);
    const everything = harness.answers.join('\n');
    expect(seenTokens.size).toBeGreaterThanOrEqual(6);
    for (const token of seenTokens) expect(everything).not.toContain(token);
    expect(everything).not.toContain('gcs-7f3c9a');
  });
});
