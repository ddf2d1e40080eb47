/**
 * @module auth/sessions
 * Web sessions: the `ferry_session` cookie holds 32 random bytes; the
 * database keeps only their sha256, so a leaked database opens no session.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { newSecret, sha256Hex } from '../ids.js';
import { sessionCookie } from './actor.js';

function cookieOptions(request: FastifyRequest) {
  return {
    httpOnly: true,
    sameSite: 'strict' as const,
    path: '/',
    secure: request.protocol === 'https',
  };
}

/** Starts a session for the user and sets its cookie on the reply. */
export async function startSession(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply, userId: string): Promise<void> {
  const secret = newSecret(32);
  const now = ctx.clock.now();
  const at = now.toISOString();
  await ctx.db.deleteFrom('sessions').where('user_id', '=', userId).where('expires_at', '<=', at).execute();
  await ctx.db
    .insertInto('sessions')
    .values({
      id: sha256Hex(secret),
      user_id: userId,
      created_at: at,
      expires_at: new Date(now.getTime() + ctx.config.sessionTtlMs).toISOString(),
      last_seen_at: at,
      ip: request.ip,
      user_agent: request.headers['user-agent']?.slice(0, 300) ?? null,
    })
    .execute();
  reply.setCookie(sessionCookie, secret, { ...cookieOptions(request), maxAge: Math.floor(ctx.config.sessionTtlMs / 1000) });
}

/** Ends the session (if any) and clears the cookie. */
export async function endSession(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply, sessionId: string | null): Promise<void> {
  if (sessionId !== null) await ctx.db.deleteFrom('sessions').where('id', '=', sessionId).execute();
  reply.clearCookie(sessionCookie, cookieOptions(request));
}
