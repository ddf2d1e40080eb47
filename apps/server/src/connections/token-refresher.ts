/**
 * @module connections/token-refresher
 * `getAccessToken(ctx, connectionId)`: a usable access token for a connection,
 * refreshed before it expires (60 s early). Concurrent callers share one
 * refresh: in the process through a single-flight map, and across processes
 * through a lease on the row (`refresh_lease_owner/until`, taken with a
 * conditional UPDATE). A process that loses the lease waits, then re-reads
 * the row and uses the token the winner stored. A refresh answer without a
 * refresh token keeps the old one. `invalid_grant` turns the connection
 * `needs_reauth` at once (event + audit); other failures back off. While the
 * connection's integration is not installed and enabled in its workspace
 * (marketplace/integration-gate.ts) no token is handed out and nothing is
 * refreshed: callers get 403 `integration_disabled` / `integration_not_enabled`.
 */
import { FerryError } from '@ferry/core';
import { sql } from 'kysely';
import { appendAudit } from '../audit/audit-log.js';
import { isoNow, type ServerContext } from '../context.js';
import type { ConnectionRow } from '../db/schema.js';
import { appendEvent } from '../events/event-log.js';
import { requireProviderUsable } from '../marketplace/integration-gate.js';
import { connectionServices } from './connection-services.js';
import { findConnectionRow, openTokens, providerOf, sealTokens } from './connection-store.js';
import { refreshTokens, type RefreshOutcome } from './oauth-client.js';

/** Refresh this long before the access token expires. */
export const refreshSkewMs = 60_000;
/** A lease outlives the longest token request (timeout) by this much. */
const leaseMarginMs = 5_000;
const leasePollMs = 20;

export interface AccessTokenRequest {
  /** The token the provider just refused: refresh unless another caller already replaced it. */
  rejectedToken?: string;
}

function backoffMs(failures: number): number {
  return Math.min(5 * 60_000, 1000 * 2 ** Math.min(failures, 9));
}

function expiresAtMs(row: ConnectionRow): number {
  return row.access_token_expires_at === null ? Number.POSITIVE_INFINITY : Date.parse(row.access_token_expires_at);
}

export async function getAccessToken(ctx: ServerContext, connectionId: string, request: AccessTokenRequest = {}): Promise<string> {
  const { inFlight } = connectionServices(ctx);
  const running = inFlight.get(connectionId);
  if (running !== undefined) {
    const token = await running;
    if (request.rejectedToken === undefined || token !== request.rejectedToken) return token;
  }
  const key = request.rejectedToken === undefined ? connectionId : `${connectionId}!${request.rejectedToken}`;
  let work = inFlight.get(key);
  if (work === undefined) {
    work = resolveAccessToken(ctx, connectionId, request.rejectedToken).finally(() => inFlight.delete(key));
    inFlight.set(key, work);
  }
  return work;
}

async function resolveAccessToken(ctx: ServerContext, connectionId: string, rejected: string | undefined): Promise<string> {
  const services = connectionServices(ctx);
  for (;;) {
    const row = await findConnectionRow(ctx, connectionId);
    if (row === undefined) throw new FerryError('connection_not_found', 'No such connection.');
    const provider = services.provider(providerOf(row));
    if (row.status !== 'active') {
      throw new FerryError('connection_needs_reauth', row.status === 'revoked' ? `This ${provider.name} connection was disconnected.` : `${provider.name} no longer accepts this connection: reconnect it.`);
    }
    // The connection's integration must be installed and enabled in its workspace: no token is used or refreshed otherwise.
    await requireProviderUsable(ctx, row.workspace_id, row.provider);
    const tokens = openTokens(services.box, row);
    const now = ctx.clock.now().getTime();
    const expiresAt = expiresAtMs(row);
    const current = tokens.accessToken !== null && tokens.accessToken !== rejected && expiresAt > now ? tokens.accessToken : null;
    if (current !== null && expiresAt - refreshSkewMs > now) return current;
    if (tokens.refreshToken === null) {
      if (current !== null) return current;
      await markNeedsReauth(ctx, row, `${provider.name} refused the access token and gave no refresh token: reconnect it.`);
      throw new FerryError('connection_needs_reauth', `${provider.name} no longer accepts this connection: reconnect it.`);
    }
    if (row.refresh_not_before !== null && Date.parse(row.refresh_not_before) > now) {
      if (current !== null) return current;
      throw new FerryError('provider_error', `Refreshing the ${provider.name} token failed recently (${row.last_error ?? 'unknown error'}); Ferry tries again after ${row.refresh_not_before}.`);
    }
    const nowIso = new Date(now).toISOString();
    const taken = await ctx.db
      .updateTable('connections')
      .set({ refresh_lease_owner: services.leaseOwner, refresh_lease_until: new Date(now + ctx.config.outboundTimeoutMs + leaseMarginMs).toISOString() })
      .where('id', '=', row.id)
      .where('token_version', '=', row.token_version)
      .where('status', '=', 'active')
      .where((eb) => eb.or([eb('refresh_lease_owner', 'is', null), eb('refresh_lease_until', '<', nowIso)]))
      .executeTakeFirst();
    if (taken.numUpdatedRows === 0n) {
      await waitForOtherRefresh(ctx, row);
      continue;
    }
    const paceKey = `connection:${row.id}`;
    const outcome: RefreshOutcome = await refreshTokens(provider, services.http, paceKey, tokens.refreshToken).catch((error: unknown) => ({
      kind: 'failed' as const,
      message: error instanceof Error ? error.message : String(error),
      retryAfterMs: null,
    }));
    if (outcome.kind === 'refreshed') {
      const fresh = outcome.tokens;
      const at = isoNow(ctx);
      await ctx.db
        .updateTable('connections')
        .set({
          ...sealTokens(services.box, { accessToken: fresh.accessToken, refreshToken: fresh.refreshToken ?? tokens.refreshToken }),
          access_token_expires_at: fresh.expiresInSeconds === undefined ? null : new Date(ctx.clock.now().getTime() + fresh.expiresInSeconds * 1000).toISOString(),
          ...(fresh.scope !== undefined ? { scopes: fresh.scope } : {}),
          token_version: sql<number>`token_version + 1`,
          refresh_lease_owner: null,
          refresh_lease_until: null,
          refresh_failures: 0,
          refresh_not_before: null,
          last_error: null,
          updated_at: at,
        })
        .where('id', '=', row.id)
        .where('refresh_lease_owner', '=', services.leaseOwner)
        .execute();
      return fresh.accessToken;
    }
    if (outcome.kind === 'invalid_grant') {
      await markNeedsReauth(ctx, row, outcome.message);
      throw new FerryError('connection_needs_reauth', outcome.message);
    }
    await recordRefreshFailure(ctx, row, outcome.message, outcome.retryAfterMs);
    if (current !== null) return current;
    throw new FerryError('provider_error', `Refreshing the ${provider.name} token failed: ${outcome.message}`);
  }
}

/** Waits until the lease holder stored new tokens, gave up, or its lease ran out. */
async function waitForOtherRefresh(ctx: ServerContext, seen: ConnectionRow): Promise<void> {
  const deadline = Date.now() + ctx.config.outboundTimeoutMs + 2 * leaseMarginMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, leasePollMs));
    const row = await ctx.db
      .selectFrom('connections')
      .select(['token_version', 'status', 'refresh_lease_owner', 'refresh_lease_until'])
      .where('id', '=', seen.id)
      .executeTakeFirst();
    if (row === undefined || row.token_version !== seen.token_version || row.status !== 'active') return;
    if (row.refresh_lease_owner === null || (row.refresh_lease_until ?? '') < ctx.clock.now().toISOString()) return;
  }
}

async function recordRefreshFailure(ctx: ServerContext, row: ConnectionRow, message: string, retryAfterMs: number | null): Promise<void> {
  const at = isoNow(ctx);
  const failures = row.refresh_failures + 1;
  const wait = Math.max(retryAfterMs ?? 0, backoffMs(failures - 1));
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('connections')
      .set({
        refresh_failures: failures,
        refresh_not_before: new Date(ctx.clock.now().getTime() + wait).toISOString(),
        last_error: message,
        refresh_lease_owner: null,
        refresh_lease_until: null,
        updated_at: at,
      })
      .where('id', '=', row.id)
      .execute();
    await appendAudit(trx, { at, workspaceId: row.workspace_id, actorId: null, action: 'connection.refresh_failed', target: row.id, details: { provider: row.provider, error: message, retryInMs: wait } });
  });
}

/** The provider will not refresh any more: the user must reconnect. Event + audit in the same transaction. */
export async function markNeedsReauth(ctx: ServerContext, row: ConnectionRow, message: string): Promise<void> {
  const at = isoNow(ctx);
  const changed = await ctx.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('connections')
      .set({
        status: 'needs_reauth',
        access_token_ciphertext: null,
        refresh_token_ciphertext: null,
        access_token_expires_at: null,
        last_error: message,
        refresh_lease_owner: null,
        refresh_lease_until: null,
        updated_at: at,
      })
      .where('id', '=', row.id)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) return false;
    await appendEvent(trx, {
      workspaceId: row.workspace_id,
      type: 'connection.needs_reauth',
      at,
      actorId: null,
      source: 'connections',
      data: { connectionId: row.id, provider: row.provider, accountId: row.account_id, reason: message },
    });
    await appendAudit(trx, { at, workspaceId: row.workspace_id, actorId: null, action: 'connection.refresh_failed', target: row.id, details: { provider: row.provider, error: message, needsReauth: true } });
    return true;
  });
  if (changed) ctx.hub.notify(row.workspace_id);
}

/**
 * The connection as a sync driver's token source (`AccessTokenProvider` of
 * @ferry/sync): `forceRefresh` after the provider refused the last token.
 */
export function connectionTokenProvider(ctx: ServerContext, connectionId: string): (request: { readonly forceRefresh: boolean }) => Promise<string> {
  let last: string | undefined;
  return async ({ forceRefresh }) => {
    last = await getAccessToken(ctx, connectionId, forceRefresh && last !== undefined ? { rejectedToken: last } : {});
    return last;
  };
}
