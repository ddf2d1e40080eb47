/**
 * @module oauth/token-routes
 * The back-channel endpoints, all client-authenticated and form-encoded:
 * `POST /oauth/token` (RFC 6749 §3.2, §5), `POST /oauth/revoke` (RFC 7009) and
 * `POST /oauth/introspect` (RFC 7662). Answers are never cached.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appendAudit } from '../audit/audit-log.js';
import type { ServerContext } from '../context.js';
import { exchangeAuthorizationCode } from './authorization-code-grant.js';
import { authenticateClient } from './client-authentication.js';
import { formBodyOf, requiredParameter } from './form-parameters.js';
import { isMember } from './grant-checks.js';
import { clientIntegrationRefusal } from './integration-clients.js';
import { noStore, OAuthError, sendOAuthError } from './oauth-error.js';
import { refreshAccessToken } from './refresh-token-grant.js';
import { storedScopes } from './scopes.js';
import { TokenRateLimiter } from './token-rate-limiter.js';
import { findTokenBySecret, isLive, revokeFamily, type TokenResponse } from './tokens.js';

/** Token requests per client and minute. */
export const tokenRequestsPerClientPerMinute = 600;

type Endpoint = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

/** Answers OAuth errors in the RFC 6749 §5.2 shape; anything else goes to the server's error handler. */
function oauthEndpoint(endpoint: Endpoint): Endpoint {
  return async (request, reply) => {
    try {
      return await endpoint(request, reply);
    } catch (error) {
      if (error instanceof OAuthError) return sendOAuthError(reply, error);
      throw error;
    }
  };
}

export function registerTokenRoutes(app: FastifyInstance, ctx: ServerContext, issuer: (request: FastifyRequest) => string): void {
  const limiter = new TokenRateLimiter(tokenRequestsPerClientPerMinute, ctx.clock);

  app.post(
    '/oauth/token',
    oauthEndpoint(async (request, reply) => {
      const params = formBodyOf(request);
      const client = await authenticateClient(ctx, request, params);
      const wait = limiter.take(client.id);
      if (wait > 0) {
        throw new OAuthError('temporarily_unavailable', `Too many token requests for this client; try again in ${wait} s.`, {
          status: 429,
          headers: { 'retry-after': String(wait) },
        });
      }
      const grantType = requiredParameter(params, 'grant_type');
      let answer: TokenResponse;
      if (grantType === 'authorization_code') {
        answer = await exchangeAuthorizationCode(ctx, request, client, params);
      } else if (grantType === 'refresh_token') {
        if (!storedScopes(client.scopes).includes('offline_access')) {
          throw new OAuthError('unauthorized_client', 'This client is not registered for offline_access, so it cannot use refresh tokens.');
        }
        answer = await refreshAccessToken(ctx, request, client, params);
      } else {
        throw new OAuthError('unsupported_grant_type', `The grant type "${grantType}" is not supported; use authorization_code or refresh_token.`);
      }
      return noStore(reply).code(200).type('application/json').send(answer);
    }),
  );

  app.post(
    '/oauth/revoke',
    oauthEndpoint(async (request, reply) => {
      const params = formBodyOf(request);
      const client = await authenticateClient(ctx, request, params);
      const secret = requiredParameter(params, 'token');
      // token_type_hint is only a hint (RFC 7009 §2.1): every kind of token is searched.
      params.optional('token_type_hint');
      const token = await findTokenBySecret(ctx.db, secret);
      if (token && token.revoked_at === null) {
        if (token.client_id !== client.id) throw new OAuthError('unauthorized_client', 'The token was not issued to this client.');
        const at = ctx.clock.now().toISOString();
        const revoked =
          token.kind === 'refresh'
            ? await revokeFamily(ctx.db, token.family_id, at)
            : Number((await ctx.db.updateTable('oauth_tokens').set({ revoked_at: at }).where('id', '=', token.id).executeTakeFirst()).numUpdatedRows);
        await appendAudit(ctx.db, {
          at,
          workspaceId: token.workspace_id,
          actorId: token.user_id,
          action: 'oauth.token_revoked',
          target: client.id,
          ip: request.ip,
          details: { kind: token.kind, familyId: token.family_id, tokensRevoked: revoked },
        });
      }
      // Unknown, expired and already revoked tokens are answered the same (RFC 7009 §2.2).
      return noStore(reply).code(200).send();
    }),
  );

  app.post(
    '/oauth/introspect',
    oauthEndpoint(async (request, reply) => {
      const params = formBodyOf(request);
      const client = await authenticateClient(ctx, request, params);
      if (client.type !== 'confidential') throw new OAuthError('invalid_client', 'Only confidential clients may introspect tokens.');
      const secret = requiredParameter(params, 'token');
      params.optional('token_type_hint');
      const now = ctx.clock.now();
      const token = await findTokenBySecret(ctx.db, secret);
      const active =
        token !== undefined &&
        token.client_id === client.id &&
        isLive(token, now) &&
        token.rotated_at === null &&
        (await isMember(ctx.db, token.user_id, token.workspace_id)) &&
        // Not usable while the client's integration is not installed and enabled in the workspace.
        (await clientIntegrationRefusal(ctx, client, token.workspace_id)) === null;
      noStore(reply).type('application/json');
      if (!active) return reply.send({ active: false });
      const user = await ctx.db.selectFrom('users').select('email').where('id', '=', token.user_id).executeTakeFirst();
      return reply.send({
        active: true,
        scope: token.scopes,
        client_id: token.client_id,
        username: user?.email,
        ...(token.kind === 'access' ? { token_type: 'Bearer' } : {}),
        exp: Math.floor(Date.parse(token.expires_at) / 1000),
        iat: Math.floor(Date.parse(token.created_at) / 1000),
        sub: token.user_id,
        iss: issuer(request),
        ferry_workspace_id: token.workspace_id,
      });
    }),
  );
}
