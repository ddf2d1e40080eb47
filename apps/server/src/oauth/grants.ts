/**
 * @module oauth/grants
 * A user's view of the applications they allowed: list them, and withdraw
 * one (its consent is forgotten and every token it holds for the user stops).
 */
import { FerryError, type OAuthGrant } from '@ferry/core';
import { appendAudit } from '../audit/audit-log.js';
import type { ServerContext } from '../context.js';
import { storedScopes } from './scopes.js';

export async function listGrants(ctx: ServerContext, userId: string): Promise<OAuthGrant[]> {
  const rows = await ctx.db
    .selectFrom('oauth_grants')
    .innerJoin('oauth_clients', 'oauth_clients.id', 'oauth_grants.client_id')
    .innerJoin('workspaces', 'workspaces.id', 'oauth_grants.workspace_id')
    .select([
      'oauth_grants.id',
      'oauth_grants.client_id',
      'oauth_clients.name as client_name',
      'oauth_grants.workspace_id',
      'workspaces.name as workspace_name',
      'oauth_grants.scopes',
      'oauth_grants.created_at',
      'oauth_grants.updated_at',
    ])
    .where('oauth_grants.user_id', '=', userId)
    .orderBy('oauth_grants.created_at')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    clientId: row.client_id,
    clientName: row.client_name,
    workspaceId: row.workspace_id,
    workspaceName: row.workspace_name,
    scopes: storedScopes(row.scopes),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));
}

export async function revokeGrant(ctx: ServerContext, input: { userId: string; grantId: string; ip: string | null }): Promise<void> {
  const at = ctx.clock.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    const grant = await trx.selectFrom('oauth_grants').selectAll().where('id', '=', input.grantId).where('user_id', '=', input.userId).executeTakeFirst();
    if (!grant) throw new FerryError('oauth_grant_not_found', 'No such grant.');
    await trx.deleteFrom('oauth_grants').where('id', '=', grant.id).execute();
    const revoked = await trx
      .updateTable('oauth_tokens')
      .set({ revoked_at: at })
      .where('user_id', '=', input.userId)
      .where('client_id', '=', grant.client_id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    await trx.deleteFrom('oauth_codes').where('user_id', '=', input.userId).where('client_id', '=', grant.client_id).where('used_at', 'is', null).execute();
    await appendAudit(trx, {
      at,
      workspaceId: grant.workspace_id,
      actorId: input.userId,
      action: 'oauth.grant_revoked',
      target: grant.client_id,
      ip: input.ip,
      details: { grantId: grant.id, tokensRevoked: Number(revoked.numUpdatedRows) },
    });
  });
}
