/**
 * @module oauth/metadata
 * Authorization server metadata (RFC 8414) at
 * `/.well-known/oauth-authorization-server`, so clients configure themselves.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { supportedScopes } from './scopes.js';

export function authorizationServerMetadata(issuer: string) {
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    introspection_endpoint: `${issuer}/oauth/introspect`,
    scopes_supported: supportedScopes,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    service_documentation: `${issuer}/api/v1/openapi.json`,
  };
}

export function registerMetadataRoute(app: FastifyInstance, issuer: (request: FastifyRequest) => string): void {
  app.get('/.well-known/oauth-authorization-server', async (request, reply) => {
    reply.header('cache-control', 'public, max-age=3600');
    return authorizationServerMetadata(issuer(request));
  });
}
