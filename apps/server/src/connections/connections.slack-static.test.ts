/**
 * @module connections/connections.slack-static.test
 * Slack without token rotation (the app setting is off): the install answers
 * a user token that never expires and no refresh token, so Ferry stores no
 * expiry and never refreshes; when the user removes the app, auth.test
 * answers `token_revoked` with HTTP 200, and with no refresh token to try
 * the connection turns needs_reauth at once, with an event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startConnectionHarness, type ConnectionHarness } from './connection-test-harness.js';

let harness: ConnectionHarness;

beforeAll(async () => {
  harness = await startConnectionHarness({}, undefined, { slack: { tokenRotation: false } });
  // Connecting a provider needs its integration installed in the workspace.
  await harness.install('slack');
});

afterAll(async () => {
  await harness.close();
});

const check = (connectionId: string) => harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/${connectionId}/check`, { method: 'POST' });

describe('Slack without token rotation', () => {
  it('stores a token that never expires, never refreshes, and needs sign-in again once the app is removed', async () => {
    const slack = harness.slack;
    if (slack === null) throw new Error('the Slack emulator was not started');
    const { connectionId } = await harness.connect('slack');
    const row = await harness.server.ctx.db.selectFrom('connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'active', access_token_expires_at: null, refresh_token_ciphertext: null });
    expect((await check(connectionId)).status).toBe(200);
    expect(slack.tokens.counts.refreshes).toBe(0);

    slack.revokeGrants();
    const answer = await check(connectionId);
    expect(answer.status).toBe(409);
    expect(await answer.json()).toMatchObject({ error: { code: 'connection_needs_reauth' } });
    expect(slack.tokens.counts.refreshes).toBe(0);
    const feed = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/events?cursor=0`);
    const events = z.object({ events: z.array(z.object({ type: z.string(), data: z.record(z.string(), z.unknown()).optional() })) }).parse(await feed.json()).events;
    expect(events.filter((event) => event.type === 'connection.needs_reauth').map((event) => event.data?.connectionId)).toEqual([connectionId]);
  });
});
