/**
 * @module oauth/browser-session
 * The signed-in user of a browser on the authorization pages, from the same
 * `ferry_session` cookie the console uses (the pages live outside `/api`, so
 * the API's caller resolution does not run for them).
 */
import type { FastifyRequest } from 'fastify';
import { sessionCookie } from '../auth/actor.js';
import type { ServerContext } from '../context.js';
import { sha256Hex } from '../ids.js';

export interface BrowserSession {
  sessionId: string;
  userId: string;
  email: string;
}

export async function browserSessionOf(ctx: ServerContext, request: FastifyRequest): Promise<BrowserSession | null> {
  const cookie = request.cookies[sessionCookie];
  if (cookie === undefined || cookie === '') return null;
  const session = await ctx.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.id', 'sessions.user_id', 'users.email'])
    .where('sessions.id', '=', sha256Hex(cookie))
    .where('sessions.expires_at', '>', ctx.clock.now().toISOString())
    .executeTakeFirst();
  return session ? { sessionId: session.id, userId: session.user_id, email: session.email } : null;
}
