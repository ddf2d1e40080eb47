/**
 * @module files/file-writes
 * Putting content in place: a received blob becomes a new file or a new
 * version of an existing one, in ONE transaction that re-checks the
 * preconditions, moves the blob into its content address, writes the node and
 * version rows, and records the event and audit row. Also restoring an older
 * version as a new one.
 */
import { FerryError } from '@ferry/core';
import type { Kysely } from 'kysely';
import type { Actor } from '../auth/actor.js';
import type { ServerContext } from '../context.js';
import { isoNow } from '../context.js';
import type { Database, NodeRow } from '../db/schema.js';
import { writeGroupsOf } from '../db/write-groups.js';
import { newId } from '../ids.js';
import type { BlobStore } from './blob-store.js';
import { recordChange } from './change-record.js';
import { checkPreconditions, findNode, type Preconditions } from './node-access.js';
import { findLiveChild, joinPath, nodeWithPath, pathOf } from './node-paths.js';
import { nameKeyOf, nodeView } from './node-view.js';

/** Where the content goes: a name in a folder (create or new version), or an existing file. */
export type WriteTarget = { parentId: string; name: string } | { fileId: string };

export interface ReceivedContent {
  /** A fsynced file inside the data folder (temp blob or finished upload), or null when the blob is in place already. */
  path: string | null;
  sha256: string;
  size: number;
}

export interface WriteResult {
  node: NodeRow;
  path: string;
  created: boolean;
}

function notFound(): FerryError {
  return new FerryError('node_not_found', 'No such file or folder.');
}

interface CurrentTarget {
  /** The file written to, if it exists. */
  file: NodeRow | undefined;
  /** The path of the file's folder (new files only). */
  parentPath: string | null;
}

async function currentTarget(trx: Kysely<Database>, workspaceId: string, target: WriteTarget): Promise<CurrentTarget> {
  if ('fileId' in target) {
    const file = await findNode(trx, target.fileId);
    if (!file || file.workspace_id !== workspaceId || file.deleted_at !== null) throw notFound();
    if (file.kind !== 'file') throw new FerryError('not_a_file', `"${file.name}" is a folder.`);
    return { file, parentPath: null };
  }
  const parent = await nodeWithPath(trx, target.parentId);
  if (!parent || parent.folder.workspace_id !== workspaceId || parent.folder.deleted_at !== null) throw notFound();
  if (parent.folder.kind !== 'folder') throw new FerryError('not_a_folder', `"${parent.folder.name}" is a file, not a folder.`);
  const existing = await findLiveChild(trx, target.parentId, target.name);
  if (existing && existing.kind !== 'file') throw new FerryError('name_conflict', `A folder named "${existing.name}" exists there already.`);
  return { file: existing, parentPath: parent.path };
}

async function insertVersion(trx: Kysely<Database>, input: { fileId: string; workspaceId: string; sha256: string; size: number; actor: Actor; at: string }): Promise<string> {
  const id = newId('fvr');
  await trx
    .insertInto('versions')
    .values({ id, file_id: input.fileId, workspace_id: input.workspaceId, sha256: input.sha256, size: input.size, author_id: input.actor.userId, source: input.actor.source, created_at: input.at })
    .execute();
  return id;
}

/** Points a file at new content (its new version row written beside it); a new versionId, so a new ETag. */
export async function setContent(trx: Kysely<Database>, file: NodeRow, content: { sha256: string; size: number }, contentVersionId: string, at: string): Promise<NodeRow> {
  return trx
    .updateTable('nodes')
    .set({ sha256: content.sha256, size: content.size, version_id: newId('ver'), content_version_id: contentVersionId, updated_at: at })
    .where('id', '=', file.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The row of a new file (its first content version written beside it). */
export function newFileRow(input: {
  id: string;
  workspaceId: string;
  parentId: string;
  name: string;
  content: { sha256: string; size: number };
  contentVersionId: string;
  at: string;
}): NodeRow {
  return {
    id: input.id,
    workspace_id: input.workspaceId,
    parent_id: input.parentId,
    kind: 'file',
    name: input.name,
    name_key: nameKeyOf(input.name),
    size: input.content.size,
    sha256: input.content.sha256,
    version_id: newId('ver'),
    content_version_id: input.contentVersionId,
    created_at: input.at,
    updated_at: input.at,
    deleted_at: null,
    trashed: 0,
  };
}

/** Commits received content: the blob into place, then the rows, the event and the audit row in one transaction. */
export async function commitFileContent(
  ctx: ServerContext,
  store: BlobStore,
  input: { workspaceId: string; target: WriteTarget; content: ReceivedContent; preconditions: Preconditions; actor: Actor; ip: string | null },
): Promise<WriteResult> {
  const { workspaceId, target, content, actor } = input;
  // The blob goes into place before the transaction, so the database is never held while the disk
  // is busy (fsyncs of other uploads queue in the same thread pool). If the transaction then fails
  // (a race lost after the early precondition check), the blob stays unreferenced: harmless, as
  // blobs are content-addressed, and never a half file.
  if (content.path !== null) {
    try {
      await store.commit(content.path, content.sha256);
    } catch (error) {
      await store.discard(content.path);
      throw error;
    }
  }
  // Group commit: uploads that arrive together share one COMMIT (each in its own savepoint).
  const result = await writeGroupsOf(ctx.db).run(async (trx) => {
    const at = isoNow(ctx);
    const { file: current, parentPath } = await currentTarget(trx, workspaceId, target);
    checkPreconditions(input.preconditions, current);
    let node: NodeRow;
    if (current) {
      const versionId = await insertVersion(trx, { fileId: current.id, workspaceId, sha256: content.sha256, size: content.size, actor, at });
      node = await setContent(trx, current, content, versionId, at);
    } else if ('parentId' in target) {
      const fileId = newId('nod');
      const versionId = await insertVersion(trx, { fileId, workspaceId, sha256: content.sha256, size: content.size, actor, at });
      node = await trx
        .insertInto('nodes')
        .values(newFileRow({ id: fileId, workspaceId, parentId: target.parentId, name: target.name, content, contentVersionId: versionId, at }))
        .returningAll()
        .executeTakeFirstOrThrow();
    } else {
      throw notFound();
    }
    const path = parentPath !== null && 'parentId' in target ? joinPath(parentPath, node.name) : await pathOf(trx, node.id);
    await recordChange(trx, {
      workspaceId,
      type: current ? 'file.updated' : 'file.created',
      at,
      actor,
      ip: input.ip,
      target: node.id,
      node: nodeView(node, path),
    });
    return { node, path, created: current === undefined };
  });
  ctx.hub.notify(workspaceId);
  return result;
}

/** Makes an older version current again, as a new version (same blob). */
export async function restoreFileVersion(
  ctx: ServerContext,
  input: { file: NodeRow; versionId: string; preconditions: Preconditions; actor: Actor; ip: string | null },
): Promise<WriteResult> {
  const { file, actor } = input;
  const result = await ctx.db.transaction().execute(async (trx) => {
    const at = isoNow(ctx);
    const { file: current } = await currentTarget(trx, file.workspace_id, { fileId: file.id });
    checkPreconditions(input.preconditions, current);
    const old = await trx.selectFrom('versions').selectAll().where('id', '=', input.versionId).where('file_id', '=', file.id).executeTakeFirst();
    if (!old || !current) throw new FerryError('version_not_found', 'No such version of this file.');
    const versionId = await insertVersion(trx, { fileId: file.id, workspaceId: file.workspace_id, sha256: old.sha256, size: old.size, actor, at });
    const node = await setContent(trx, current, old, versionId, at);
    const path = await pathOf(trx, node.id);
    await recordChange(trx, {
      workspaceId: file.workspace_id,
      type: 'file.updated',
      at,
      actor,
      ip: input.ip,
      target: node.id,
      node: nodeView(node, path),
      data: { restoredVersionId: old.id },
    });
    return { node, path, created: false };
  });
  ctx.hub.notify(file.workspace_id);
  return result;
}
