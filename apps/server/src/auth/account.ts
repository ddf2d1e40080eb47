/**
 * @module auth/account
 * The caller as the API shows them (`me`) and their personal API tokens.
 */
import { FerryError, type ApiToken, type Me } from '@ferry/core';
import type { ServerContext } from '../context.js';
import { appendAudit } from '../audit/audit-log.js';
import { workspacesVisibleTo } from '../workspaces/service.js';
import type { Actor } from './actor.js';

/** The user and the workspaces the caller may see (an OAuth access token sees only its one workspace). */
export async function meOf(ctx: ServerContext, userId: string, actor?: Pick<Actor, 'workspaceId'>): Promise<Me> {
  const row = await ctx.db.selectFrom('users').select(['id', 'email', 'name', 'created_at']).where('id', '=', userId).executeTakeFirst();
  if (!row) throw new FerryError('unauthenticated', 'The signed-in user no longer exists.');
  const workspaces = await workspacesVisibleTo(ctx.db, { userId, workspaceId: actor?.workspaceId ?? null });
  return { user: { id: row.id, email: row.email, name: row.name, createdAt: row.created_at }, workspaces };
}

/** The user's tokens that still work or may expire; revoked ones are gone from the list. */
export async function listTokensOf(ctx: ServerContext, userId: string): Promise<ApiToken[]> {
  const rows = await ctx.db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'prefix', 'created_at', 'last_used_at', 'expires_at'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .orderBy('created_at')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
  }));
}

/** Revokes one of the user's own tokens; anyone else's (or an unknown id) is token_not_found. */
export async function revokeTokenOf(ctx: ServerContext, input: { userId: string; tokenId: string; ip: string }): Promise<void> {
  const at = ctx.clock.now().toISOString();
  const result = await ctx.db
    .updateTable('api_tokens')
    .set({ revoked_at: at })
    .where('id', '=', input.tokenId)
    .where('user_id', '=', input.userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw new FerryError('token_not_found', 'No such token.');
  await appendAudit(ctx.db, { at, workspaceId: null, actorId: input.userId, action: 'token.revoked', target: input.tokenId, ip: input.ip });
}
