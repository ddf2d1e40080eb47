/**
 * @module auth/routes
 * First-run set-up, sign-in and sign-out (session cookie), `me`, and personal
 * API tokens. Every sign-in, failed or not, and every sign-out is audited;
 * passwords and secrets never reach the audit log.
 */
import { FerryError } from '@ferry/core';
import type { FastifyInstance } from 'fastify';
import { appendAudit } from '../audit/audit-log.js';
import type { ServerContext } from '../context.js';
import { route } from '../http/route.js';
import { listTokensOf, meOf, revokeTokenOf } from './account.js';
import { LoginLimiter } from './login-limiter.js';
import { dummyPasswordHash, verifyPassword } from './passwords.js';
import { endSession, startSession } from './sessions.js';
import { createApiToken, createUser, findUserByEmail } from './users.js';

async function anyUserExists(ctx: ServerContext): Promise<boolean> {
  const row = await ctx.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

export function registerAuthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const limiter = new LoginLimiter(ctx.config.loginRateLimitPerMinute, ctx.clock);

  route(app, 'setupStatus', async () => ({ needed: !(await anyUserExists(ctx)) }));

  route(app, 'setup', async ({ body, request, reply }) => {
    if (await anyUserExists(ctx)) throw new FerryError('already_set_up', 'Ferry is set up already; sign in instead.');
    const { user } = await createUser(ctx, { ...body, onlyIfFirst: true });
    await startSession(ctx, request, reply, user.id);
    await appendAudit(ctx.db, { at: ctx.clock.now().toISOString(), workspaceId: null, actorId: user.id, action: 'auth.login', target: user.id, ip: request.ip, details: { method: 'setup' } });
    return meOf(ctx, user.id);
  });

  route(app, 'login', async ({ body, request, reply }) => {
    const key = LoginLimiter.key(request.ip, body.email);
    const at = () => ctx.clock.now().toISOString();
    const failed = (actorId: string | null, reason: string) =>
      appendAudit(ctx.db, { at: at(), workspaceId: null, actorId, action: 'auth.login_failed', target: actorId, ip: request.ip, details: { email: body.email, reason } });
    const retryAfter = limiter.retryAfterSeconds(key);
    if (retryAfter > 0) {
      await failed(null, 'rate_limited');
      reply.header('retry-after', String(retryAfter));
      throw new FerryError('rate_limited', `Too many failed sign-ins; try again in ${retryAfter} s.`);
    }
    const user = await findUserByEmail(ctx, body.email);
    const valid = await verifyPassword(body.password, user?.password_hash ?? (await dummyPasswordHash));
    if (!user || !valid) {
      limiter.recordFailure(key);
      await failed(user?.id ?? null, user ? 'wrong_password' : 'unknown_email');
      throw new FerryError('invalid_credentials', 'The email or the password is wrong.');
    }
    limiter.recordSuccess(key);
    await startSession(ctx, request, reply, user.id);
    await appendAudit(ctx.db, { at: at(), workspaceId: null, actorId: user.id, action: 'auth.login', target: user.id, ip: request.ip, details: { method: 'password' } });
    return meOf(ctx, user.id);
  });

  route(app, 'logout', async ({ actor, request, reply }) => {
    await endSession(ctx, request, reply, actor.sessionId);
    await appendAudit(ctx.db, { at: ctx.clock.now().toISOString(), workspaceId: null, actorId: actor.userId, action: 'auth.logout', target: actor.userId, ip: request.ip });
    return { ok: true as const };
  });

  route(app, 'me', async ({ actor }) => meOf(ctx, actor.userId, actor));

  route(app, 'listTokens', async ({ actor }) => ({ items: await listTokensOf(ctx, actor.userId) }));

  route(app, 'createToken', async ({ actor, body }) =>
    createApiToken(ctx, { userId: actor.userId, name: body.name, ...(body.expiresInDays === undefined ? {} : { expiresInDays: body.expiresInDays }) }),
  );

  route(app, 'revokeToken', async ({ actor, params, request }) => {
    await revokeTokenOf(ctx, { userId: actor.userId, tokenId: params.tokenId, ip: request.ip });
    return { ok: true as const };
  });
}
