/**
 * @module oauth
 * Ferry as an OAuth 2.0 authorization server: authorization code + PKCE
 * (S256), rotating refresh tokens with reuse detection, consent, revocation
 * (RFC 7009), introspection (RFC 7662) and metadata (RFC 8414).
 *
 * Why not oidc-provider: its current major (9.x) warns "unsupported runtime"
 * below Node 22 LTS while Ferry targets Node >= 20.19; it is a Koa app that
 * Fastify can host only through a middleware bridge, with its own session,
 * interaction and adapter models beside Ferry's sessions and Kysely tables,
 * and it is OpenID-Connect-centred. Ferry needs a small, exactly specified
 * subset, so this module implements it directly, tested against the RFCs' rules.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { registerAuthorizeRoutes } from './authorize-routes.js';
import { installFormParser } from './form-parameters.js';
import { registerOAuthManagementRoutes } from './management-routes.js';
import { registerMetadataRoute } from './metadata.js';
import { registerTokenRoutes } from './token-routes.js';

export { findOAuthAccessToken } from './access-tokens.js';
export { scopeCatalog, supportedScopes, type OAuthScope } from './scopes.js';

/** The issuer identifier: the configured public address, without a trailing slash. */
function issuerOf(ctx: ServerContext): (request: FastifyRequest) => string {
  return (request) => (ctx.config.publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
}

export function registerOAuthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  registerOAuthManagementRoutes(app, ctx);
  const issuer = issuerOf(ctx);
  // Encapsulated: the form parser applies to these endpoints only.
  void app.register(async (scoped) => {
    installFormParser(scoped);
    registerMetadataRoute(scoped, issuer);
    registerAuthorizeRoutes(scoped, ctx, issuer);
    registerTokenRoutes(scoped, ctx, issuer);
  });
}
