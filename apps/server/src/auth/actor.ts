/**
 * @module auth/actor
 * Who is calling: resolved once per request from `Authorization: Bearer
 * <api token>` or the `ferry_session` cookie. Secrets are looked up by their
 * sha256, never stored. Cookie-authenticated writes must carry the
 * `X-Ferry-Request: 1` header, which a cross-site form cannot send (CSRF).
 */
import { FerryError } from '@ferry/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { sha256Hex } from '../ids.js';
import { findOAuthAccessToken } from '../oauth/access-tokens.js';

export interface Actor {
  userId: string;
  tokenId: string | null;
  sessionId: string | null;
  /** The device or integration named by X-Ferry-Source, else "api" / "web". */
  source: string;
  /** Scopes of an OAuth access token; null/absent = a full-power API token or session. */
  scopes?: string[] | null;
  /** The one workspace an OAuth access token may act in; null/absent = any of the user's. */
  workspaceId?: string | null;
  /** OAuth access tokens: the client, and the marketplace integration it belongs to (if any). */
  clientId?: string | null;
  integrationId?: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export const sessionCookie = 'ferry_session';
export const csrfHeader = 'x-ferry-request';
const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function sourceOf(request: FastifyRequest, fallback: string): string {
  const raw = request.headers['x-ferry-source'];
  const value = typeof raw === 'string' ? raw.trim().slice(0, 100) : '';
  return value.length > 0 ? value : fallback;
}

async function resolveActor(ctx: ServerContext, request: FastifyRequest): Promise<Actor | null> {
  const now = ctx.clock.now().toISOString();
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1]) throw new FerryError('unauthenticated', 'The Authorization header must be "Bearer <token>".');
    const token = await ctx.db
      .selectFrom('api_tokens')
      .select(['id', 'user_id', 'expires_at', 'revoked_at', 'last_used_at'])
      .where('token_hash', '=', sha256Hex(match[1]))
      .executeTakeFirst();
    const delegated = token ? undefined : await findOAuthAccessToken(ctx, match[1]);
    if (delegated) {
      const { userId, scopes, workspaceId, clientName, clientId, integrationId } = delegated;
      return { userId, tokenId: null, sessionId: null, source: sourceOf(request, clientName), scopes, workspaceId, clientId, integrationId };
    }
    if (!token || token.revoked_at !== null || (token.expires_at !== null && token.expires_at <= now)) {
      throw new FerryError('unauthenticated', 'The API token is unknown, expired or revoked.');
    }
    // Record use at most once a minute, so reads stay reads.
    if (token.last_used_at === null || Date.parse(now) - Date.parse(token.last_used_at) > 60_000) {
      await ctx.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', token.id).execute();
    }
    return { userId: token.user_id, tokenId: token.id, sessionId: null, source: sourceOf(request, 'api') };
  }
  const cookie = request.cookies[sessionCookie];
  if (cookie === undefined || cookie === '') return null;
  const sessionId = sha256Hex(cookie);
  const session = await ctx.db
    .selectFrom('sessions')
    .select(['id', 'user_id', 'expires_at'])
    .where('id', '=', sessionId)
    .executeTakeFirst();
  if (!session || session.expires_at <= now) return null;
  if (unsafeMethods.has(request.method) && request.headers[csrfHeader] !== '1') {
    throw new FerryError('csrf_failed', `Writes signed in by cookie must send the "${csrfHeader}: 1" header.`);
  }
  return { userId: session.user_id, tokenId: null, sessionId: session.id, source: sourceOf(request, 'web') };
}

export function installActorResolution(app: FastifyInstance, ctx: ServerContext): void {
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request) => {
    request.actor = request.url.startsWith('/api/') ? await resolveActor(ctx, request) : null;
  });
}
