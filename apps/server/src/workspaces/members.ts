/**
 * @module workspaces/members
 * Membership changes with their rules: admins and owners manage members, only
 * an owner grants or takes away the owner role, a member may leave, and a
 * workspace never loses its last owner. Each change is audited, and adding or
 * removing a member appends to the event feed in the same transaction.
 */
import { FerryError, type Member, type Role } from '@ferry/core';
import type { Kysely } from 'kysely';
import type { Actor } from '../auth/actor.js';
import { appendAudit } from '../audit/audit-log.js';
import type { ServerContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { appendEvent } from '../events/event-log.js';
import { requireRole } from './access.js';

export async function listMembers(db: Kysely<Database>, workspaceId: string): Promise<Member[]> {
  const rows = await db
    .selectFrom('members')
    .innerJoin('users', 'users.id', 'members.user_id')
    .select(['members.user_id', 'users.email', 'users.name', 'members.role', 'members.added_at'])
    .where('members.workspace_id', '=', workspaceId)
    .orderBy('members.added_at')
    .orderBy('users.email')
    .execute();
  return rows.map((row) => ({ userId: row.user_id, email: row.email, name: row.name, role: row.role, addedAt: row.added_at }));
}

async function findMember(db: Kysely<Database>, workspaceId: string, userId: string): Promise<Member | undefined> {
  const row = await db
    .selectFrom('members')
    .innerJoin('users', 'users.id', 'members.user_id')
    .select(['members.user_id', 'users.email', 'users.name', 'members.role', 'members.added_at'])
    .where('members.workspace_id', '=', workspaceId)
    .where('members.user_id', '=', userId)
    .executeTakeFirst();
  return row && { userId: row.user_id, email: row.email, name: row.name, role: row.role, addedAt: row.added_at };
}

async function ownerCount(db: Kysely<Database>, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom('members')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('workspace_id', '=', workspaceId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

function requireOwnerFor(callerRole: Role, what: string): void {
  if (callerRole !== 'owner') throw new FerryError('forbidden', `Only an owner can ${what}.`);
}

export interface MemberChange {
  workspaceId: string;
  actor: Actor;
  ip: string;
}

export async function addMember(ctx: ServerContext, change: MemberChange & { email: string; role: Role }): Promise<Member> {
  const callerRole = await requireRole(ctx, change.actor, change.workspaceId, 'admin');
  if (change.role === 'owner') requireOwnerFor(callerRole, 'make someone an owner');
  const at = ctx.clock.now().toISOString();
  const member = await ctx.db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom('users')
      .select(['id', 'email', 'name'])
      .where((eb) => eb(eb.fn('lower', ['email']), '=', change.email.trim().toLowerCase()))
      .executeTakeFirst();
    if (!user) throw new FerryError('user_not_found', `No user has the email ${change.email.trim()}; they must have an account first.`);
    if (await findMember(trx, change.workspaceId, user.id)) throw new FerryError('conflict', `${user.email} is a member already.`);
    await trx.insertInto('members').values({ workspace_id: change.workspaceId, user_id: user.id, role: change.role, added_at: at }).execute();
    const added: Member = { userId: user.id, email: user.email, name: user.name, role: change.role, addedAt: at };
    await appendEvent(trx, {
      workspaceId: change.workspaceId, type: 'member.added', at, actorId: change.actor.userId, source: change.actor.source,
      data: { userId: user.id, email: user.email, name: user.name, role: change.role },
    });
    await appendAudit(trx, { at, workspaceId: change.workspaceId, actorId: change.actor.userId, action: 'member.added', target: user.id, ip: change.ip, details: { role: change.role } });
    return added;
  });
  ctx.hub.notify(change.workspaceId);
  return member;
}

export async function updateMemberRole(ctx: ServerContext, change: MemberChange & { userId: string; role: Role }): Promise<Member> {
  const callerRole = await requireRole(ctx, change.actor, change.workspaceId, 'admin');
  const at = ctx.clock.now().toISOString();
  return ctx.db.transaction().execute(async (trx) => {
    const member = await findMember(trx, change.workspaceId, change.userId);
    if (!member) throw new FerryError('user_not_found', 'That user is not a member of this workspace.');
    if (member.role === change.role) return member;
    if (change.role === 'owner') requireOwnerFor(callerRole, 'make someone an owner');
    if (member.role === 'owner') {
      requireOwnerFor(callerRole, "change an owner's role");
      if ((await ownerCount(trx, change.workspaceId)) <= 1) throw new FerryError('last_owner', 'A workspace needs at least one owner; make someone else owner first.');
    }
    await trx.updateTable('members').set({ role: change.role }).where('workspace_id', '=', change.workspaceId).where('user_id', '=', change.userId).execute();
    await appendAudit(trx, {
      at, workspaceId: change.workspaceId, actorId: change.actor.userId, action: 'member.role_changed', target: change.userId, ip: change.ip,
      details: { from: member.role, to: change.role },
    });
    return { ...member, role: change.role };
  });
}

export async function removeMember(ctx: ServerContext, change: MemberChange & { userId: string }): Promise<void> {
  const leaving = change.userId === change.actor.userId;
  const callerRole = await requireRole(ctx, change.actor, change.workspaceId, leaving ? 'member' : 'admin');
  const at = ctx.clock.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    const member = await findMember(trx, change.workspaceId, change.userId);
    if (!member) throw new FerryError('user_not_found', 'That user is not a member of this workspace.');
    if (member.role === 'owner') {
      if (!leaving) requireOwnerFor(callerRole, 'remove an owner');
      if ((await ownerCount(trx, change.workspaceId)) <= 1) throw new FerryError('last_owner', 'A workspace needs at least one owner; make someone else owner first.');
    }
    await trx.deleteFrom('members').where('workspace_id', '=', change.workspaceId).where('user_id', '=', change.userId).execute();
    await appendEvent(trx, {
      workspaceId: change.workspaceId, type: 'member.removed', at, actorId: change.actor.userId, source: change.actor.source,
      data: { userId: member.userId, email: member.email, name: member.name, role: member.role, left: leaving },
    });
    await appendAudit(trx, {
      at, workspaceId: change.workspaceId, actorId: change.actor.userId, action: leaving ? 'member.left' : 'member.removed', target: change.userId, ip: change.ip,
      details: { role: member.role },
    });
  });
  ctx.hub.notify(change.workspaceId);
}
