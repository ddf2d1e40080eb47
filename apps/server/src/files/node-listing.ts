/**
 * @module files/node-listing
 * Paged reads of the tree: the children of a folder (folders first, then by
 * name), the trash of a workspace, and a name search. Every list pages by
 * keyset (the sort key of the last row, in an opaque cursor), never OFFSET, so
 * page 1,000 of a folder costs what page 1 does.
 */
import { FerryError } from '@ferry/core';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database, NodeRow } from '../db/schema.js';

export const defaultPageSize = 100;

export interface NodePage {
  items: NodeRow[];
  nextCursor: string | null;
}

const cursorSchema = z.tuple([z.string(), z.string()]);

export function encodeCursor(first: string, second: string): string {
  return Buffer.from(JSON.stringify([first, second])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): [string, string] | null {
  if (cursor === undefined || cursor === '') return null;
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new FerryError('validation_failed', 'The cursor is not one this server handed out.');
  }
}

function pageOfRows(rows: NodeRow[], limit: number, keyOf: (row: NodeRow) => [string, string]): NodePage {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(...keyOf(last)) : null };
}

/** Live children of a folder: folders first, then files, each by name ignoring case. */
export async function listChildren(db: Kysely<Database>, folderId: string, cursor: string | undefined, limit = defaultPageSize): Promise<NodePage> {
  const after = decodeCursor(cursor);
  const kinds: Array<'folder' | 'file'> = after?.[0] === 'file' ? ['file'] : ['folder', 'file'];
  const rows: NodeRow[] = [];
  for (const kind of kinds) {
    const wanted = limit + 1 - rows.length;
    if (wanted <= 0) break;
    let query = db
      .selectFrom('nodes')
      .selectAll()
      .where('parent_id', '=', folderId)
      .where('kind', '=', kind)
      .where('deleted_at', 'is', null)
      .orderBy('name_key')
      .limit(wanted);
    if (after && after[0] === kind) query = query.where('name_key', '>', after[1]);
    rows.push(...(await query.execute()));
  }
  return pageOfRows(rows, limit, (row) => [row.kind, row.name_key]);
}

/** The top-level deletions of a workspace, most recent first. */
export async function listTrash(db: Kysely<Database>, workspaceId: string, cursor: string | undefined, limit = defaultPageSize): Promise<NodePage> {
  const after = decodeCursor(cursor);
  let query = db
    .selectFrom('nodes')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('trashed', '=', 1)
    .orderBy('deleted_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (after) {
    const [deletedAt, id] = after;
    query = query.where((eb) => eb.or([eb('deleted_at', '<', deletedAt), eb.and([eb('deleted_at', '=', deletedAt), eb('id', '<', id)])]));
  }
  const rows = await query.execute();
  return pageOfRows(rows, limit, (row) => [row.deleted_at ?? '', row.id]);
}

/** Live nodes of a workspace whose name contains `text`, ignoring case, by name. */
export async function searchByName(db: Kysely<Database>, workspaceId: string, text: string, cursor: string | undefined, limit = defaultPageSize): Promise<NodePage> {
  const after = decodeCursor(cursor);
  const needle = text.normalize('NFC').toLowerCase();
  let query = db
    .selectFrom('nodes')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('deleted_at', 'is', null)
    .where('parent_id', 'is not', null)
    .where((eb) => eb(eb.fn<number>('instr', ['name_key', eb.val(needle)]), '>', 0))
    .orderBy('name_key')
    .orderBy('id')
    .limit(limit + 1);
  if (after) {
    const [nameKey, id] = after;
    query = query.where((eb) => eb.or([eb('name_key', '>', nameKey), eb.and([eb('name_key', '=', nameKey), eb('id', '>', id)])]));
  }
  const rows = await query.execute();
  return pageOfRows(rows, limit, (row) => [row.name_key, row.id]);
}
