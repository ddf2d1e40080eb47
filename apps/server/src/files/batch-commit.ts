/**
 * @module files/batch-commit
 * Committing a batch of received files into one folder in ONE transaction:
 * the folder and the names already taken are read once, each entry is
 * checked on its own (a folder of that name, a failed precondition: that
 * entry fails, the others go on), then the versions, new nodes, events and
 * audit rows are written with multi-row inserts. One commit (one WAL sync)
 * for the whole batch instead of one per file.
 */
import { FerryError, type ErrorBody } from '@ferry/core';
import type { Kysely } from 'kysely';
import type { Actor } from '../auth/actor.js';
import type { ServerContext } from '../context.js';
import { isoNow } from '../context.js';
import type { Database, NodeRow, VersionRow } from '../db/schema.js';
import { newId } from '../ids.js';
import { recordChanges, type ChangeInput } from './change-record.js';
import { newFileRow, setContent } from './file-writes.js';
import { checkPreconditions, type Preconditions } from './node-access.js';
import { joinPath, nodeWithPath } from './node-paths.js';
import { nameKeyOf, nodeView } from './node-view.js';

export interface BatchItem {
  /** A checked name (NFC). */
  name: string;
  sha256: string;
  size: number;
  preconditions: Preconditions;
}

export type BatchOutcome = { ok: true; node: NodeRow; path: string; created: boolean } | { ok: false; error: ErrorBody['error'] };

/** Rows per multi-row statement: far below SQLite's bound-variable limit. */
const chunkRows = 200;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += chunkRows) out.push(items.slice(start, start + chunkRows));
  return out;
}

async function liveChildrenByKey(trx: Kysely<Database>, folderId: string, keys: readonly string[]): Promise<Map<string, NodeRow>> {
  const found = new Map<string, NodeRow>();
  for (const part of chunks([...new Set(keys)])) {
    const rows = await trx.selectFrom('nodes').selectAll().where('parent_id', '=', folderId).where('deleted_at', 'is', null).where('name_key', 'in', part).execute();
    for (const row of rows) found.set(row.name_key, row);
  }
  return found;
}

function failure(error: unknown): BatchOutcome {
  if (error instanceof FerryError) return { ok: false, error: error.toBody().error };
  throw error;
}

/**
 * Writes every item whose checks pass; the blobs must already be in place.
 * Answers one outcome per item, in order.
 */
export async function commitFileBatch(
  ctx: ServerContext,
  input: { workspaceId: string; folderId: string; items: readonly BatchItem[]; actor: Actor; ip: string | null },
): Promise<BatchOutcome[]> {
  const { workspaceId, folderId, items, actor } = input;
  const outcomes = await ctx.db.transaction().execute(async (trx) => {
    const at = isoNow(ctx);
    const folder = await nodeWithPath(trx, folderId);
    if (!folder || folder.folder.workspace_id !== workspaceId || folder.folder.deleted_at !== null) {
      throw new FerryError('node_not_found', 'No such file or folder.');
    }
    if (folder.folder.kind !== 'folder') throw new FerryError('not_a_folder', `"${folder.folder.name}" is a file, not a folder.`);
    const existing = await liveChildrenByKey(
      trx,
      folderId,
      items.map((item) => nameKeyOf(item.name)),
    );

    const versions: VersionRow[] = [];
    const newNodes: NodeRow[] = [];
    const updates: { current: NodeRow; item: BatchItem; versionId: string }[] = [];
    const results: (BatchOutcome | undefined)[] = [];
    const rowIndex = new Map<number, { kind: 'new' | 'update'; index: number }>();
    items.forEach((item, position) => {
      const current = existing.get(nameKeyOf(item.name));
      try {
        if (current && current.kind !== 'file') throw new FerryError('name_conflict', `A folder named "${current.name}" exists there already.`);
        checkPreconditions(item.preconditions, current);
      } catch (error) {
        results.push(failure(error));
        return;
      }
      const fileId = current?.id ?? newId('nod');
      const versionId = newId('fvr');
      versions.push({ id: versionId, file_id: fileId, workspace_id: workspaceId, sha256: item.sha256, size: item.size, author_id: actor.userId, source: actor.source, created_at: at });
      if (current) {
        rowIndex.set(position, { kind: 'update', index: updates.length });
        updates.push({ current, item, versionId });
      } else {
        rowIndex.set(position, { kind: 'new', index: newNodes.length });
        newNodes.push(newFileRow({ id: fileId, workspaceId, parentId: folderId, name: item.name, content: item, contentVersionId: versionId, at }));
      }
      results.push(undefined);
    });

    for (const part of chunks(versions)) await trx.insertInto('versions').values(part).execute();
    for (const part of chunks(newNodes)) await trx.insertInto('nodes').values(part).execute();
    const updated: NodeRow[] = [];
    for (const { current, item, versionId } of updates) updated.push(await setContent(trx, current, item, versionId, at));

    const changes: ChangeInput[] = [];
    for (const [position, where] of rowIndex) {
      const node = where.kind === 'new' ? newNodes[where.index] : updated[where.index];
      if (!node) continue;
      const path = joinPath(folder.path, node.name);
      results[position] = { ok: true, node, path, created: where.kind === 'new' };
      changes.push({ workspaceId, type: where.kind === 'new' ? 'file.created' : 'file.updated', at, actor, ip: input.ip, target: node.id, node: nodeView(node, path) });
    }
    await recordChanges(trx, workspaceId, changes);
    return results.map((outcome) => {
      if (!outcome) throw new Error('a planned batch entry was not written');
      return outcome;
    });
  });
  if (outcomes.some((outcome) => outcome.ok)) ctx.hub.notify(workspaceId);
  return outcomes;
}
