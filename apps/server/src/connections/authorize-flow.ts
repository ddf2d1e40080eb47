/**
 * @module connections/authorize-flow
 * Connecting an account: `startAuthorization` stores the state (hashed) and
 * the sealed PKCE verifier server-side, bound to the user and their session,
 * for 10 minutes, and answers the provider's sign-in URL. `completeAuthorization`
 * takes the browser's return: the state must be known, unexpired, unused and
 * belong to the same user (and session); then the code is exchanged, the
 * account identity read, and the connection stored (a reconnect of the same
 * account updates its row).
 */
import { FerryError, type ProviderId } from '@ferry/core';
import type { FastifyRequest } from 'fastify';
import { appendAudit } from '../audit/audit-log.js';
import type { Actor } from '../auth/actor.js';
import { isoNow, type ServerContext } from '../context.js';
import { appendEvent } from '../events/event-log.js';
import { newId, sha256Hex } from '../ids.js';
import { browserSessionOf } from '../oauth/browser-session.js';
import { requireProviderUsable } from '../marketplace/integration-gate.js';
import { requireRole } from '../workspaces/access.js';
import { fetchAccountIdentity, type AccountIdentity } from './account-identity.js';
import { connectionServices } from './connection-services.js';
import { sealTokens } from './connection-store.js';
import { buildAuthorizationUrl, exchangeCode } from './oauth-client.js';

export const authorizationTtlMs = 10 * 60_000;

export function callbackUrlOf(ctx: ServerContext, provider: ProviderId): string {
  return `${(ctx.config.publicUrl ?? '').replace(/\/+$/, '')}/oauth/callback/${provider}`;
}

export async function startAuthorization(
  ctx: ServerContext,
  actor: Actor,
  input: { workspaceId: string; provider: ProviderId; returnTo: string | undefined },
): Promise<{ authorizeUrl: string; expiresAt: string }> {
  // A provider account is connected only for an integration installed and enabled in the workspace.
  await requireProviderUsable(ctx, input.workspaceId, input.provider);
  const services = connectionServices(ctx);
  const provider = services.provider(input.provider);
  const redirectUri = callbackUrlOf(ctx, provider.id);
  const started = await buildAuthorizationUrl(provider, redirectUri);
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + authorizationTtlMs).toISOString();
  await ctx.db.deleteFrom('connection_authorizations').where('expires_at', '<', now.toISOString()).execute();
  await ctx.db
    .insertInto('connection_authorizations')
    .values({
      id: sha256Hex(started.state),
      workspace_id: input.workspaceId,
      provider: provider.id,
      user_id: actor.userId,
      session_id: actor.sessionId,
      verifier_ciphertext: services.box.seal(started.codeVerifier),
      redirect_uri: redirectUri,
      return_to: input.returnTo ?? '/connections',
      created_at: now.toISOString(),
      expires_at: expiresAt,
    })
    .execute();
  return { authorizeUrl: started.url, expiresAt };
}

export interface CompletedAuthorization {
  connectionId: string;
  returnTo: string;
}

export async function completeAuthorization(ctx: ServerContext, request: FastifyRequest, providerId: ProviderId, callbackUrl: URL): Promise<CompletedAuthorization> {
  const services = connectionServices(ctx);
  const state = callbackUrl.searchParams.get('state');
  if (state === null || state === '') throw new FerryError('bad_request', 'The answer from the provider carries no state, so Ferry cannot tell which sign-in it belongs to. Start connecting again.');
  // Single use: the pending row is taken (deleted) before anything else happens.
  const pending = await ctx.db.deleteFrom('connection_authorizations').where('id', '=', sha256Hex(state)).returningAll().executeTakeFirst();
  if (pending === undefined || pending.provider !== providerId) {
    throw new FerryError('bad_request', 'This sign-in does not match one Ferry started (unknown or already used state). Start connecting again from Ferry.');
  }
  const now = ctx.clock.now().toISOString();
  if (pending.expires_at <= now) throw new FerryError('bad_request', 'This sign-in expired (it must finish within 10 minutes). Start connecting again from Ferry.');
  const browser = await browserSessionOf(ctx, request);
  if (pending.session_id !== null ? browser?.sessionId !== pending.session_id : browser !== null && browser.userId !== pending.user_id) {
    throw new FerryError('forbidden', 'This sign-in was started by another Ferry session. Sign in as the user who started it, or start connecting again.');
  }
  await requireRole(ctx, { userId: pending.user_id, tokenId: null, sessionId: pending.session_id, source: 'web' }, pending.workspace_id, 'admin');
  // Removed or disabled while the user was at the provider: the code is not exchanged.
  await requireProviderUsable(ctx, pending.workspace_id, providerId);
  const provider = services.provider(providerId);
  const tokens = await exchangeCode(provider, services.http, {
    callbackUrl,
    expectedState: state,
    codeVerifier: services.box.open(pending.verifier_ciphertext),
    redirectUri: pending.redirect_uri,
  });
  const identity = await fetchAccountIdentity(provider, services.http, `provider:${provider.id}`, tokens.accessToken);
  if (!identity.ok) throw new FerryError('provider_error', `${identity.message} Ferry could not read the connected account.`);
  const account: AccountIdentity = identity.account;
  const at = isoNow(ctx);
  const sealed = sealTokens(services.box, { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken ?? null });
  const expiresAt = tokens.expiresInSeconds === undefined ? null : new Date(ctx.clock.now().getTime() + tokens.expiresInSeconds * 1000).toISOString();
  const scopes = (tokens.scope ?? provider.scopes.join(' ')).split(/[\s,]+/).filter((scope) => scope !== '').join(' ');
  const connectionId = await ctx.db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('connections')
      .select('id')
      .where('workspace_id', '=', pending.workspace_id)
      .where('provider', '=', provider.id)
      .where('account_id', '=', account.id)
      .where('status', '!=', 'revoked')
      .executeTakeFirst();
    const fields = {
      status: 'active' as const,
      account_email: account.email,
      account_name: account.name,
      scopes,
      ...sealed,
      access_token_expires_at: expiresAt,
      refresh_lease_owner: null,
      refresh_lease_until: null,
      refresh_failures: 0,
      refresh_not_before: null,
      last_error: null,
      updated_at: at,
    };
    let id: string;
    if (existing !== undefined) {
      id = existing.id;
      await trx.updateTable('connections').set(fields).where('id', '=', id).execute();
    } else {
      id = newId('con');
      await trx
        .insertInto('connections')
        .values({ id, workspace_id: pending.workspace_id, provider: provider.id, account_id: account.id, created_by: pending.user_id, created_at: at, revoked_at: null, ...fields })
        .execute();
    }
    const data = { connectionId: id, provider: provider.id, accountId: account.id, reconnected: existing !== undefined };
    await appendEvent(trx, { workspaceId: pending.workspace_id, type: 'connection.created', at, actorId: pending.user_id, source: 'connections', data });
    await appendAudit(trx, {
      at,
      workspaceId: pending.workspace_id,
      actorId: pending.user_id,
      action: 'connection.connected',
      target: id,
      ip: request.ip,
      details: { provider: provider.id, account: account.email ?? account.id, scopes, reconnected: existing !== undefined },
    });
    return id;
  });
  ctx.hub.notify(pending.workspace_id);
  return { connectionId, returnTo: pending.return_to };
}
