/**
 * @module oauth/refresh-token-grant
 * `grant_type=refresh_token` (RFC 6749 §6) with rotation: every use answers a
 * new refresh token and retires the old one. Presenting a retired refresh
 * token means it was copied: the whole family is revoked (reuse detection,
 * RFC 9700 §4.14.2). `scope` may only narrow the access token; the new
 * refresh token keeps the original grant.
 */
import type { FastifyRequest } from 'fastify';
import { appendAudit } from '../audit/audit-log.js';
import type { ServerContext } from '../context.js';
import type { OAuthClientRow } from './clients.js';
import { requiredParameter, type OAuthParameters } from './form-parameters.js';
import { invalidGrant, isMember } from './grant-checks.js';
import { requireClientIntegration } from './integration-clients.js';
import { OAuthError } from './oauth-error.js';
import { isSubset, parseScopeParameter, storedScopes } from './scopes.js';
import { findTokenBySecret, issueTokens, revokeFamily, type OAuthTokenRow, type TokenResponse } from './tokens.js';

async function revokeAfterReuse(ctx: ServerContext, request: FastifyRequest, token: OAuthTokenRow, at: string): Promise<void> {
  const revoked = await revokeFamily(ctx.db, token.family_id, at);
  await appendAudit(ctx.db, {
    at,
    workspaceId: token.workspace_id,
    actorId: token.user_id,
    action: 'oauth.refresh_token_reused',
    target: token.client_id,
    ip: request.ip,
    details: { familyId: token.family_id, tokensRevoked: revoked },
  });
}

const reused = 'The refresh token was used already; every token of this authorization is now revoked.';

export async function refreshAccessToken(ctx: ServerContext, request: FastifyRequest, client: OAuthClientRow, params: OAuthParameters): Promise<TokenResponse> {
  const secret = requiredParameter(params, 'refresh_token');
  const scopeParameter = params.optional('scope');
  const now = ctx.clock.now();
  const at = now.toISOString();
  const token = await findTokenBySecret(ctx.db, secret);
  if (!token || token.kind !== 'refresh' || token.client_id !== client.id) throw invalidGrant('The refresh token is unknown or was issued to another client.');
  if (token.revoked_at !== null) throw invalidGrant('The refresh token has been revoked.');
  if (token.rotated_at !== null) {
    await revokeAfterReuse(ctx, request, token, at);
    throw invalidGrant(reused);
  }
  if (token.expires_at <= at) throw invalidGrant('The refresh token has expired.');
  const granted = storedScopes(token.scopes);
  let accessScopes = granted;
  if (scopeParameter !== undefined) {
    const requested = parseScopeParameter(scopeParameter);
    if (requested === null || requested.length === 0 || !isSubset(requested, granted)) {
      throw new OAuthError('invalid_scope', 'The requested scope exceeds the scope originally granted.');
    }
    accessScopes = requested;
  }
  if (!(await isMember(ctx.db, token.user_id, token.workspace_id))) throw invalidGrant('The user is no longer a member of the granted workspace.');
  // Checked before the grant is used: the refusal spends neither the code nor the refresh token.
  await requireClientIntegration(ctx, client, { workspaceId: token.workspace_id, userId: token.user_id, grant: 'refresh_token', ip: request.ip });

  const issued = await ctx.db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('oauth_tokens')
      .set({ rotated_at: at })
      .where('id', '=', token.id)
      .where('rotated_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return null;
    return issueTokens(trx, {
      familyId: token.family_id,
      clientId: client.id,
      userId: token.user_id,
      workspaceId: token.workspace_id,
      accessScopes,
      refreshScopes: granted,
      now,
    });
  });
  if (issued === null) {
    await revokeAfterReuse(ctx, request, token, at);
    throw invalidGrant(reused);
  }
  return issued;
}
