/**
 * @module oauth/access-tokens
 * Resolves `Authorization: Bearer <OAuth access token>` for the API: the user
 * it acts for, its scopes and its one workspace. Used by auth/actor.ts when
 * the bearer is not a personal API token.
 */
import type { ServerContext } from '../context.js';
import { sha256Hex } from '../ids.js';
import { storedScopes } from './scopes.js';

export interface DelegatedAccess {
  userId: string;
  scopes: string[];
  workspaceId: string;
  clientId: string;
  clientName: string;
  /** The marketplace integration of the client, if it belongs to one. */
  integrationId: string | null;
}

/** The access the token grants, or undefined when it is not a live OAuth access token. */
export async function findOAuthAccessToken(ctx: ServerContext, secret: string): Promise<DelegatedAccess | undefined> {
  const row = await ctx.db
    .selectFrom('oauth_tokens')
    .innerJoin('oauth_clients', 'oauth_clients.id', 'oauth_tokens.client_id')
    .select(['oauth_tokens.user_id', 'oauth_tokens.scopes', 'oauth_tokens.workspace_id', 'oauth_tokens.client_id', 'oauth_clients.name', 'oauth_clients.integration_id'])
    .where('oauth_tokens.token_hash', '=', sha256Hex(secret))
    .where('oauth_tokens.kind', '=', 'access')
    .where('oauth_tokens.revoked_at', 'is', null)
    .where('oauth_tokens.expires_at', '>', ctx.clock.now().toISOString())
    .executeTakeFirst();
  if (!row) return undefined;
  return { userId: row.user_id, scopes: storedScopes(row.scopes), workspaceId: row.workspace_id, clientId: row.client_id, clientName: row.name, integrationId: row.integration_id };
}
