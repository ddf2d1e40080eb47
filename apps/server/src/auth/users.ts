/**
 * @module auth/users
 * Creating users (with their first workspace) and personal API tokens. Used by
 * the first-run set-up, `ferry admin`, and tests.
 */
import { FerryError, type ApiToken, type User, type Workspace } from '@ferry/core';
import type { ServerContext } from '../context.js';
import { appendAudit } from '../audit/audit-log.js';
import { newId, newSecret, sha256Hex } from '../ids.js';
import { createWorkspace } from '../workspaces/service.js';
import { hashPassword } from './passwords.js';

export interface CreateUserInput {
  email: string;
  password: string;
  name?: string;
  workspaceName?: string;
  /** First-run set-up: refuse (already_set_up) when any user exists, checked inside the transaction. */
  onlyIfFirst?: boolean;
}

export async function createUser(ctx: ServerContext, input: CreateUserInput): Promise<{ user: User; workspace: Workspace }> {
  const email = input.email.trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) throw new FerryError('validation_failed', `"${email}" is not an email address.`);
  if (input.password.length < 8) throw new FerryError('validation_failed', 'A password needs at least 8 characters.');
  const passwordHash = await hashPassword(input.password);
  const at = ctx.clock.now().toISOString();
  return ctx.db.transaction().execute(async (trx) => {
    if (input.onlyIfFirst && (await trx.selectFrom('users').select('id').limit(1).executeTakeFirst())) {
      throw new FerryError('already_set_up', 'Ferry is set up already; sign in instead.');
    }
    const taken = await trx.selectFrom('users').select('id').where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase())).executeTakeFirst();
    if (taken) throw new FerryError('email_taken', `A user with the email ${email} exists already.`);
    const name = input.name?.trim() || email.split('@')[0] || email;
    const user: User = { id: newId('usr'), email, name, createdAt: at };
    await trx.insertInto('users').values({ id: user.id, email, name, password_hash: passwordHash, created_at: at }).execute();
    const workspace = await createWorkspace(trx, { name: input.workspaceName?.trim() || `${name}'s files`, ownerId: user.id, at });
    await appendAudit(trx, { at, workspaceId: workspace.id, actorId: user.id, action: 'user.created', target: user.id, details: { email } });
    return { user, workspace };
  });
}

export async function findUserByEmail(ctx: ServerContext, email: string) {
  return ctx.db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.trim().toLowerCase()))
    .executeTakeFirst();
}

export async function createApiToken(
  ctx: ServerContext,
  input: { userId: string; name: string; expiresInDays?: number },
): Promise<ApiToken & { token: string }> {
  const secret = `fry_${newSecret(32)}`;
  const now = ctx.clock.now();
  const at = now.toISOString();
  const expiresAt = input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString() : null;
  const row = {
    id: newId('tok'),
    user_id: input.userId,
    name: input.name,
    token_hash: sha256Hex(secret),
    prefix: secret.slice(0, 10),
    created_at: at,
    last_used_at: null,
    expires_at: expiresAt,
    revoked_at: null,
  };
  await ctx.db.insertInto('api_tokens').values(row).execute();
  await appendAudit(ctx.db, { at, workspaceId: null, actorId: input.userId, action: 'token.created', target: row.id, details: { name: input.name } });
  return { id: row.id, name: row.name, prefix: row.prefix, createdAt: at, lastUsedAt: null, expiresAt, token: secret };
}
