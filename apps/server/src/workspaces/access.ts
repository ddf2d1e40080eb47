/**
 * @module workspaces/access
 * The one gate to a workspace's data. A caller who is not a member gets the
 * same 404 as for a workspace that does not exist, so ids cannot be probed;
 * a member whose role is too low gets 403.
 */
import { FerryError, type Role } from '@ferry/core';
import type { ServerContext } from '../context.js';
import type { Actor } from '../auth/actor.js';

const rank: Record<Role, number> = { member: 1, admin: 2, owner: 3 };

export function roleAtLeast(role: Role, needed: Role): boolean {
  return rank[role] >= rank[needed];
}

/** Returns the caller's role in the workspace, or throws workspace_not_found / forbidden. */
export async function requireRole(ctx: ServerContext, actor: Actor, workspaceId: string, needed: Role = 'member'): Promise<Role> {
  // An OAuth access token acts in its one granted workspace; others look as if they did not exist.
  if (typeof actor.workspaceId === 'string' && actor.workspaceId !== workspaceId) throw new FerryError('workspace_not_found', 'No such workspace.');
  const member = await ctx.db
    .selectFrom('members')
    .select('role')
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', actor.userId)
    .executeTakeFirst();
  if (!member) throw new FerryError('workspace_not_found', 'No such workspace.');
  if (!roleAtLeast(member.role, needed)) throw new FerryError('forbidden', `This needs the ${needed} role in the workspace.`);
  return member.role;
}
