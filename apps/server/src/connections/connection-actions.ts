/**
 * @module connections/connection-actions
 * Using and ending a connection: `checkConnection` calls the provider once
 * with a current token (asking for a fresh one when the provider refuses it),
 * `disconnect` revokes the grant at the provider, then marks the connection
 * revoked and forgets its tokens, with an event and an audit entry.
 */
import { FerryError, type Connection } from '@ferry/core';
import { appendAudit } from '../audit/audit-log.js';
import type { Actor } from '../auth/actor.js';
import { isoNow, type ServerContext } from '../context.js';
import type { ConnectionRow } from '../db/schema.js';
import { appendEvent } from '../events/event-log.js';
import { fetchAccountIdentity } from './account-identity.js';
import { connectionServices } from './connection-services.js';
import { connectionFromRow, findConnectionRow, openTokens, providerOf } from './connection-store.js';
import { revokeGrant } from './oauth-client.js';
import { getAccessToken, markNeedsReauth } from './token-refresher.js';

export async function checkConnection(ctx: ServerContext, row: ConnectionRow): Promise<Connection> {
  const services = connectionServices(ctx);
  const provider = services.provider(providerOf(row));
  const paceKey = `connection:${row.id}`;
  let token = await getAccessToken(ctx, row.id);
  let identity = await fetchAccountIdentity(provider, services.http, paceKey, token);
  if (!identity.ok && identity.unauthorized) {
    token = await getAccessToken(ctx, row.id, { rejectedToken: token });
    identity = await fetchAccountIdentity(provider, services.http, paceKey, token);
    if (!identity.ok && identity.unauthorized) {
      const fresh = await findConnectionRow(ctx, row.id);
      if (fresh !== undefined) await markNeedsReauth(ctx, fresh, identity.message);
      throw new FerryError('connection_needs_reauth', `${identity.message} Reconnect it.`);
    }
  }
  if (!identity.ok) throw new FerryError('provider_error', identity.message);
  const { account } = identity;
  await ctx.db.updateTable('connections').set({ account_email: account.email, account_name: account.name }).where('id', '=', row.id).execute();
  const updated = await findConnectionRow(ctx, row.id);
  if (updated === undefined) throw new FerryError('connection_not_found', 'No such connection.');
  return connectionFromRow(updated);
}

export async function disconnect(ctx: ServerContext, actor: Actor, row: ConnectionRow, ip: string): Promise<{ ok: true; revokedAtProvider: boolean }> {
  const services = connectionServices(ctx);
  let revokedAtProvider = false;
  let revokeError: string | null = null;
  if (row.status !== 'revoked') {
    const tokens = openTokens(services.box, row);
    try {
      revokedAtProvider = await revokeGrant(services.provider(providerOf(row)), services.http, `connection:${row.id}`, tokens);
    } catch (error) {
      // A provider that cannot be reached does not keep the user from disconnecting; the audit says so.
      revokeError = error instanceof Error ? error.message : String(error);
    }
  }
  const at = isoNow(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('connections')
      .set({
        status: 'revoked',
        access_token_ciphertext: null,
        refresh_token_ciphertext: null,
        access_token_expires_at: null,
        refresh_lease_owner: null,
        refresh_lease_until: null,
        revoked_at: at,
        updated_at: at,
      })
      .where('id', '=', row.id)
      .execute();
    if (row.status !== 'revoked') {
      await appendEvent(trx, { workspaceId: row.workspace_id, type: 'connection.revoked', at, actorId: actor.userId, source: actor.source, data: { connectionId: row.id, provider: row.provider, accountId: row.account_id } });
    }
    await appendAudit(trx, {
      at,
      workspaceId: row.workspace_id,
      actorId: actor.userId,
      action: 'connection.disconnected',
      target: row.id,
      ip,
      details: { provider: row.provider, revokedAtProvider, ...(revokeError !== null ? { revokeError } : {}) },
    });
  });
  ctx.hub.notify(row.workspace_id);
  return { ok: true, revokedAtProvider };
}
