/**
 * @module oauth/oauth-error
 * Errors of the token, revocation and introspection endpoints, answered in
 * the shape of RFC 6749 §5.2 (`{"error", "error_description"}`), not Ferry's
 * own error shape, because OAuth client libraries parse these.
 */
import type { FastifyReply } from 'fastify';

export type TokenErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type'
  | 'temporarily_unavailable';

export class OAuthError extends Error {
  readonly code: TokenErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(code: TokenErrorCode, description: string, options: { status?: number; headers?: Record<string, string> } = {}) {
    super(description);
    this.name = 'OAuthError';
    this.code = code;
    this.status = options.status ?? (code === 'invalid_client' ? 401 : 400);
    this.headers = options.headers ?? {};
  }
}

/** Token answers must never be cached (RFC 6749 §5.1). */
export function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

export function sendOAuthError(reply: FastifyReply, error: OAuthError): FastifyReply {
  noStore(reply).code(error.status).type('application/json');
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.send({ error: error.code, error_description: error.message });
}
