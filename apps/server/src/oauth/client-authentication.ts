/**
 * @module oauth/client-authentication
 * Who is calling the token, revocation and introspection endpoints (RFC 6749
 * §2.3): a confidential client by `client_secret_basic` (HTTP Basic with the
 * form-urlencoded id and secret) or `client_secret_post`, never both; a public
 * client by its `client_id` alone. A failed attempt is `invalid_client` (401),
 * with `WWW-Authenticate: Basic` when the client tried the Basic scheme.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { sha256Hex } from '../ids.js';
import { findClient, type OAuthClientRow } from './clients.js';
import type { OAuthParameters } from './form-parameters.js';
import { OAuthError } from './oauth-error.js';

const basicChallenge = { 'www-authenticate': 'Basic realm="ferry-oauth", charset="UTF-8"' };

interface PresentedCredentials {
  clientId: string;
  secret: string | undefined;
  basic: boolean;
}

/** Basic credentials are form-urlencoded before base64 (RFC 6749 §2.3.1). */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, '%20'));
}

function presentedCredentials(request: FastifyRequest, params: OAuthParameters): PresentedCredentials {
  const bodyId = params.optional('client_id');
  const bodySecret = params.optional('client_secret');
  const header = request.headers.authorization;
  const basic = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (header !== undefined) {
    const invalid = new OAuthError('invalid_client', 'The Authorization header must be HTTP Basic with the client id and secret.', { headers: basicChallenge });
    if (!basic?.[1]) throw invalid;
    if (bodySecret !== undefined) throw new OAuthError('invalid_request', 'Authenticate the client one way only: HTTP Basic or client_secret in the body.');
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw invalid;
    let clientId: string;
    let secret: string;
    try {
      clientId = formDecode(decoded.slice(0, colon));
      secret = formDecode(decoded.slice(colon + 1));
    } catch {
      throw invalid;
    }
    if (bodyId !== undefined && bodyId !== clientId) throw new OAuthError('invalid_request', 'client_id in the body differs from the authenticated client.');
    return { clientId, secret: secret === '' ? undefined : secret, basic: true };
  }
  if (bodyId === undefined) throw new OAuthError('invalid_client', 'Identify the client: HTTP Basic, or client_id (and client_secret) in the body.');
  return { clientId: bodyId, secret: bodySecret, basic: false };
}

function secretMatches(secret: string, hash: string): boolean {
  const presented = Buffer.from(sha256Hex(secret), 'hex');
  const stored = Buffer.from(hash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** The calling client, authenticated as its type requires, or throws invalid_client. */
export async function authenticateClient(ctx: ServerContext, request: FastifyRequest, params: OAuthParameters): Promise<OAuthClientRow> {
  const credentials = presentedCredentials(request, params);
  const fail = (description: string) => new OAuthError('invalid_client', description, credentials.basic ? { headers: basicChallenge } : {});
  const client = await findClient(ctx, credentials.clientId);
  if (!client) throw fail('Client authentication failed: unknown client.');
  if (client.type === 'public') {
    if (credentials.secret !== undefined) throw fail('Client authentication failed: a public client has no secret.');
    return client;
  }
  if (credentials.secret === undefined || client.secret_hash === null || !secretMatches(credentials.secret, client.secret_hash)) {
    throw fail('Client authentication failed.');
  }
  return client;
}
