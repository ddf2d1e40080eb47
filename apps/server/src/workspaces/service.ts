/**
 * @module workspaces/service
 * Creating workspaces (each with its root folder) and reading them as the API shows them.
 */
import type { Role, Workspace } from '@ferry/core';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { newId } from '../ids.js';

export async function createWorkspace(
  trx: Kysely<Database>,
  input: { name: string; ownerId: string; at: string },
): Promise<Workspace> {
  const id = newId('wsp');
  const rootFolderId = newId('nod');
  await trx.insertInto('workspaces').values({ id, name: input.name, root_folder_id: rootFolderId, event_seq: 0, created_at: input.at }).execute();
  await trx
    .insertInto('nodes')
    .values({
      id: rootFolderId,
      workspace_id: id,
      parent_id: null,
      kind: 'folder',
      name: '',
      name_key: '',
      size: 0,
      sha256: null,
      version_id: newId('ver'),
      content_version_id: null,
      created_at: input.at,
      updated_at: input.at,
      deleted_at: null,
      trashed: 0,
    })
    .execute();
  await trx.insertInto('members').values({ workspace_id: id, user_id: input.ownerId, role: 'owner', added_at: input.at }).execute();
  return { id, name: input.name, role: 'owner', rootFolderId, createdAt: input.at };
}

export async function listWorkspacesOf(db: Kysely<Database>, userId: string): Promise<Workspace[]> {
  const rows = await db
    .selectFrom('members')
    .innerJoin('workspaces', 'workspaces.id', 'members.workspace_id')
    .select(['workspaces.id', 'workspaces.name', 'workspaces.root_folder_id', 'workspaces.created_at', 'members.role'])
    .where('members.user_id', '=', userId)
    .orderBy('workspaces.created_at')
    .execute();
  return rows.map((row) => ({ id: row.id, name: row.name, role: row.role as Role, rootFolderId: row.root_folder_id, createdAt: row.created_at }));
}

/** The workspaces a caller may see: all of the user's, or only the one an OAuth access token was granted. */
export async function workspacesVisibleTo(db: Kysely<Database>, actor: { userId: string; workspaceId?: string | null }): Promise<Workspace[]> {
  const all = await listWorkspacesOf(db, actor.userId);
  return typeof actor.workspaceId === 'string' ? all.filter((workspace) => workspace.id === actor.workspaceId) : all;
}
