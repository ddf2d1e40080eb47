/**
 * @module files/node-service
 * Changes to the tree that carry no content: create a folder, rename/move,
 * move to the trash and restore. Each runs in one transaction with its event
 * and audit row, and notifies the workspace's listeners after commit.
 */
import { FerryError } from '@ferry/core';
import { sql, type Kysely } from 'kysely';
import type { Actor } from '../auth/actor.js';
import { isoNow, type ServerContext } from '../context.js';
import type { Database, NodeRow } from '../db/schema.js';
import { newId } from '../ids.js';
import { recordChange } from './change-record.js';
import { checkPreconditions, findNode, type Preconditions } from './node-access.js';
import { findLiveChild, isSelfOrDescendant, joinPath, nodeWithPath, pathOf } from './node-paths.js';
import { nameKeyOf, nodeView } from './node-view.js';

export interface ChangeContext {
  actor: Actor;
  ip: string | null;
}

export interface NodeWithPath {
  node: NodeRow;
  path: string;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && String(error.code).startsWith('SQLITE_CONSTRAINT');
}

/** Runs a change; a unique-index violation (a name taken in a race) becomes name_conflict. */
async function inTransaction<T>(ctx: ServerContext, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  try {
    return await ctx.db.transaction().execute(work);
  } catch (error) {
    if (isUniqueViolation(error)) throw new FerryError('name_conflict', 'That name is taken in the folder.');
    throw error;
  }
}

async function liveNodeIn(trx: Kysely<Database>, workspaceId: string, nodeId: string): Promise<NodeRow> {
  const node = await findNode(trx, nodeId);
  if (!node || node.workspace_id !== workspaceId || node.deleted_at !== null) throw new FerryError('node_not_found', 'No such file or folder.');
  return node;
}

async function assertNameFree(trx: Kysely<Database>, parentId: string, name: string, exceptId?: string): Promise<void> {
  const existing = await findLiveChild(trx, parentId, name);
  if (existing && existing.id !== exceptId) {
    throw new FerryError('name_conflict', `"${existing.name}" exists in that folder already.`, { nodeId: existing.id, kind: existing.kind });
  }
}

export async function createFolder(ctx: ServerContext, change: ChangeContext, parent: NodeRow, name: string): Promise<NodeWithPath> {
  const result = await inTransaction(ctx, async (trx) => {
    const at = isoNow(ctx);
    const current = await nodeWithPath(trx, parent.id);
    if (!current || current.folder.workspace_id !== parent.workspace_id || current.folder.deleted_at !== null) {
      throw new FerryError('node_not_found', 'No such file or folder.');
    }
    if (current.folder.kind !== 'folder') throw new FerryError('not_a_folder', `"${current.folder.name}" is a file, not a folder.`);
    await assertNameFree(trx, parent.id, name);
    const node = await trx
      .insertInto('nodes')
      .values({
        id: newId('nod'),
        workspace_id: parent.workspace_id,
        parent_id: parent.id,
        kind: 'folder',
        name,
        name_key: nameKeyOf(name),
        size: 0,
        sha256: null,
        version_id: newId('ver'),
        content_version_id: null,
        created_at: at,
        updated_at: at,
        deleted_at: null,
        trashed: 0,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const path = joinPath(current.path, name);
    await recordChange(trx, { workspaceId: node.workspace_id, type: 'folder.created', at, ...change, target: node.id, node: nodeView(node, path) });
    return { node, path };
  });
  ctx.hub.notify(parent.workspace_id);
  return result;
}

/** Rename and/or move. `name` is already checked; `parentId` must be in the same workspace (else node_not_found). */
export async function moveNode(
  ctx: ServerContext,
  change: ChangeContext,
  input: { node: NodeRow; name?: string; parentId?: string; preconditions: Preconditions },
): Promise<NodeWithPath> {
  const { node } = input;
  const oldParentId = node.parent_id;
  if (oldParentId === null) throw new FerryError('bad_request', 'The root folder cannot be renamed or moved.');
  const result = await inTransaction(ctx, async (trx) => {
    const at = isoNow(ctx);
    const current = await liveNodeIn(trx, node.workspace_id, node.id);
    checkPreconditions(input.preconditions, current);
    const parentId = input.parentId ?? current.parent_id ?? oldParentId;
    const name = input.name ?? current.name;
    if (parentId === current.parent_id && name === current.name) return { node: current, path: await pathOf(trx, current.id), changed: false };
    if (parentId !== current.parent_id) {
      const target = await liveNodeIn(trx, node.workspace_id, parentId);
      if (target.kind !== 'folder') throw new FerryError('not_a_folder', `"${target.name}" is a file, not a folder.`);
      if (current.kind === 'folder' && (await isSelfOrDescendant(trx, target.id, current.id))) {
        throw new FerryError('cycle', 'A folder cannot be moved into itself or one of its subfolders.');
      }
    }
    await assertNameFree(trx, parentId, name, current.id);
    const fromPath = await pathOf(trx, current.id);
    const moved = await trx
      .updateTable('nodes')
      .set({ parent_id: parentId, name, name_key: nameKeyOf(name), version_id: newId('ver'), updated_at: at })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const path = await pathOf(trx, moved.id);
    await recordChange(trx, {
      workspaceId: moved.workspace_id,
      type: moved.kind === 'file' ? 'file.moved' : 'folder.moved',
      at,
      ...change,
      target: moved.id,
      node: nodeView(moved, path),
      from: { parentId: current.parent_id, name: current.name, path: fromPath },
    });
    return { node: moved, path, changed: true };
  });
  if (result.changed) ctx.hub.notify(node.workspace_id);
  return { node: result.node, path: result.path };
}

/** Moves a node to the trash; everything under it is marked deleted with the same time. */
export async function trashNode(ctx: ServerContext, change: ChangeContext, input: { node: NodeRow; preconditions: Preconditions }): Promise<NodeWithPath> {
  const { node } = input;
  if (node.parent_id === null) throw new FerryError('bad_request', 'The root folder cannot be deleted.');
  const result = await inTransaction(ctx, async (trx) => {
    const at = isoNow(ctx);
    const current = await liveNodeIn(trx, node.workspace_id, node.id);
    checkPreconditions(input.preconditions, current);
    const path = await pathOf(trx, current.id);
    const trashed = await trx
      .updateTable('nodes')
      .set({ trashed: 1, deleted_at: at, version_id: newId('ver'), updated_at: at })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (current.kind === 'folder') {
      await sql`
        WITH RECURSIVE under(id) AS (
          SELECT id FROM nodes WHERE parent_id = ${current.id} AND deleted_at IS NULL
          UNION ALL
          SELECT n.id FROM nodes n JOIN under ON n.parent_id = under.id WHERE n.deleted_at IS NULL
        )
        UPDATE nodes SET deleted_at = ${at} WHERE id IN (SELECT id FROM under)`.execute(trx);
    }
    await recordChange(trx, {
      workspaceId: trashed.workspace_id,
      type: trashed.kind === 'file' ? 'file.deleted' : 'folder.deleted',
      at,
      ...change,
      target: trashed.id,
      node: nodeView(trashed, path),
    });
    return { node: trashed, path };
  });
  ctx.hub.notify(node.workspace_id);
  return result;
}

/** "report.pdf" → "report (restored).pdf", then "report (restored 2).pdf", ... */
export function restoredName(name: string, attempt: number): string {
  const suffix = attempt === 1 ? ' (restored)' : ` (restored ${attempt})`;
  const dot = name.lastIndexOf('.');
  const base = dot > 0 ? name.slice(0, dot) : name;
  const extension = dot > 0 ? name.slice(dot) : '';
  const room = 255 - Buffer.byteLength(suffix + extension);
  let trimmed = base;
  while (Buffer.byteLength(trimmed) > room) trimmed = [...trimmed].slice(0, -1).join('');
  return `${trimmed}${suffix}${extension}`;
}

async function freeNameIn(trx: Kysely<Database>, parentId: string, name: string): Promise<string> {
  if (!(await findLiveChild(trx, parentId, name))) return name;
  for (let attempt = 1; ; attempt++) {
    const candidate = restoredName(name, attempt);
    if (!(await findLiveChild(trx, parentId, candidate))) return candidate;
  }
}

/**
 * Restores a deleted node into its old folder, or into the root when that
 * folder is gone too; renamed when its name is taken now. What was deleted
 * with it comes back with it.
 */
export async function restoreNode(ctx: ServerContext, change: ChangeContext, input: { node: NodeRow; rootFolderId: string }): Promise<NodeWithPath> {
  const { node } = input;
  if (node.deleted_at === null) throw new FerryError('bad_request', `"${node.name}" is not in the trash.`);
  const result = await inTransaction(ctx, async (trx) => {
    const at = isoNow(ctx);
    const current = await findNode(trx, node.id);
    if (!current || current.deleted_at === null || current.deleted_at !== node.deleted_at) {
      throw new FerryError('node_not_found', 'That node is not in the trash any more.');
    }
    const oldParent = current.parent_id === null ? undefined : await findNode(trx, current.parent_id);
    const parentId = oldParent && oldParent.deleted_at === null && oldParent.kind === 'folder' ? oldParent.id : input.rootFolderId;
    const name = await freeNameIn(trx, parentId, current.name);
    const deletedAt = current.deleted_at;
    if (current.kind === 'folder') {
      await sql`
        WITH RECURSIVE under(id) AS (
          SELECT id FROM nodes WHERE parent_id = ${current.id} AND deleted_at = ${deletedAt} AND trashed = 0
          UNION ALL
          SELECT n.id FROM nodes n JOIN under ON n.parent_id = under.id WHERE n.deleted_at = ${deletedAt} AND n.trashed = 0
        )
        UPDATE nodes SET deleted_at = NULL WHERE id IN (SELECT id FROM under)`.execute(trx);
    }
    const restored = await trx
      .updateTable('nodes')
      .set({ trashed: 0, deleted_at: null, parent_id: parentId, name, name_key: nameKeyOf(name), version_id: newId('ver'), updated_at: at })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const path = await pathOf(trx, restored.id);
    await recordChange(trx, {
      workspaceId: restored.workspace_id,
      type: restored.kind === 'file' ? 'file.restored' : 'folder.restored',
      at,
      ...change,
      target: restored.id,
      node: nodeView(restored, path),
      ...(name !== current.name || parentId !== current.parent_id ? { from: { parentId: current.parent_id, name: current.name } } : {}),
    });
    return { node: restored, path };
  });
  ctx.hub.notify(node.workspace_id);
  return result;
}
