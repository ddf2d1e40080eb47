/**
 * @module oauth/authorization-code-grant
 * `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5–4.6): the
 * code must be this client's, unexpired, unused, presented with the same
 * redirect_uri and the PKCE verifier of its challenge. A code used twice is
 * treated as stolen: the tokens issued from it are revoked (RFC 6749 §4.1.2).
 */
import type { FastifyRequest } from 'fastify';
import { appendAudit } from '../audit/audit-log.js';
import type { ServerContext } from '../context.js';
import { sha256Hex } from '../ids.js';
import type { OAuthClientRow } from './clients.js';
import { requiredParameter, type OAuthParameters } from './form-parameters.js';
import { invalidGrant, isMember } from './grant-checks.js';
import { requireClientIntegration } from './integration-clients.js';
import { OAuthError } from './oauth-error.js';
import { isCodeVerifier, verifierMatches } from './pkce.js';
import { storedScopes } from './scopes.js';
import { issueTokens, newFamilyId, revokeFamily, type TokenResponse } from './tokens.js';

async function revokeAfterReuse(ctx: ServerContext, request: FastifyRequest, code: { id: string; family_id: string | null; user_id: string; workspace_id: string; client_id: string }, at: string): Promise<void> {
  const revoked = code.family_id === null ? 0 : await revokeFamily(ctx.db, code.family_id, at);
  await appendAudit(ctx.db, {
    at,
    workspaceId: code.workspace_id,
    actorId: code.user_id,
    action: 'oauth.code_reused',
    target: code.client_id,
    ip: request.ip,
    details: { familyId: code.family_id, tokensRevoked: revoked },
  });
}

export async function exchangeAuthorizationCode(ctx: ServerContext, request: FastifyRequest, client: OAuthClientRow, params: OAuthParameters): Promise<TokenResponse> {
  const code = requiredParameter(params, 'code');
  const redirectUri = requiredParameter(params, 'redirect_uri');
  const verifier = params.optional('code_verifier');
  const now = ctx.clock.now();
  const at = now.toISOString();
  const row = await ctx.db.selectFrom('oauth_codes').selectAll().where('id', '=', sha256Hex(code)).executeTakeFirst();
  if (!row || row.client_id !== client.id) throw invalidGrant('The authorization code is unknown or was issued to another client.');
  if (row.used_at !== null) {
    await revokeAfterReuse(ctx, request, row, at);
    throw invalidGrant('The authorization code was used already; the tokens issued from it are now revoked.');
  }
  if (row.expires_at <= at) throw invalidGrant('The authorization code has expired.');
  if (row.redirect_uri !== redirectUri) throw invalidGrant('redirect_uri differs from the one of the authorization request.');
  if (row.code_challenge !== null) {
    if (verifier === undefined) throw new OAuthError('invalid_request', 'The "code_verifier" parameter is missing (PKCE).');
    if (!isCodeVerifier(verifier) || !verifierMatches(verifier, row.code_challenge)) throw invalidGrant('The PKCE code_verifier does not match the code_challenge.');
  } else if (verifier !== undefined) {
    throw invalidGrant('A code_verifier was sent, but the authorization request had no code_challenge.');
  }
  if (!(await isMember(ctx.db, row.user_id, row.workspace_id))) throw invalidGrant('The user is no longer a member of the granted workspace.');
  // Checked before the grant is used: the refusal spends neither the code nor the refresh token.
  await requireClientIntegration(ctx, client, { workspaceId: row.workspace_id, userId: row.user_id, grant: 'authorization_code', ip: request.ip });

  const scopes = storedScopes(row.scopes);
  const familyId = newFamilyId();
  const issued = await ctx.db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('oauth_codes')
      .set({ used_at: at, family_id: familyId })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return null;
    return issueTokens(trx, {
      familyId,
      clientId: client.id,
      userId: row.user_id,
      workspaceId: row.workspace_id,
      accessScopes: scopes,
      refreshScopes: scopes.includes('offline_access') ? scopes : null,
      now,
    });
  });
  if (issued === null) {
    // Another request redeemed the code at the same moment: the same reuse, seen from the other side.
    const winner = await ctx.db.selectFrom('oauth_codes').selectAll().where('id', '=', row.id).executeTakeFirst();
    if (winner) await revokeAfterReuse(ctx, request, winner, at);
    throw invalidGrant('The authorization code was used already; the tokens issued from it are now revoked.');
  }
  return issued;
}
