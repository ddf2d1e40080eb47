/**
 * @module files/node-paths
 * Paths inside a workspace: the path of a node (walking up its parents in one
 * recursive query), whether a folder lies under another (cycle check for
 * moves), and the node at a path (walking down by case-insensitive name).
 */
import { sql, type Kysely } from 'kysely';
import type { Database, NodeRow } from '../db/schema.js';
import { nameKeyOf } from './node-view.js';

interface ChainRow {
  id: string;
  name: string;
  parent_id: string | null;
  workspace_id: string;
  kind: 'file' | 'folder';
  deleted_at: string | null;
}

/** The node and its ancestors, nearest first, up to the root. */
async function ancestryOf(db: Kysely<Database>, nodeId: string): Promise<ChainRow[]> {
  const result = await sql<ChainRow>`
    WITH RECURSIVE chain(id, name, parent_id, workspace_id, kind, deleted_at, depth) AS (
      SELECT id, name, parent_id, workspace_id, kind, deleted_at, 0 FROM nodes WHERE id = ${nodeId}
      UNION ALL
      SELECT n.id, n.name, n.parent_id, n.workspace_id, n.kind, n.deleted_at, chain.depth + 1
      FROM nodes n JOIN chain ON n.id = chain.parent_id WHERE chain.depth < 4096
    )
    SELECT id, name, parent_id, workspace_id, kind, deleted_at FROM chain ORDER BY depth`.execute(db);
  return result.rows;
}

function pathOfChain(chain: ChainRow[]): string {
  const names = chain.filter((row) => row.parent_id !== null).map((row) => row.name);
  return `/${names.reverse().join('/')}`;
}

/** "/" for the root, "/a/b" for a node under it. */
export async function pathOf(db: Kysely<Database>, nodeId: string): Promise<string> {
  return pathOfChain(await ancestryOf(db, nodeId));
}

export interface FolderWithPath {
  folder: Pick<ChainRow, 'id' | 'name' | 'workspace_id' | 'kind' | 'deleted_at'>;
  path: string;
}

/** A node and its path in one query (to check a target folder and name the child's path at once). */
export async function nodeWithPath(db: Kysely<Database>, nodeId: string): Promise<FolderWithPath | undefined> {
  const chain = await ancestryOf(db, nodeId);
  const first = chain[0];
  return first ? { folder: first, path: pathOfChain(chain) } : undefined;
}

export function joinPath(parentPath: string, name: string): string {
  return parentPath === '/' ? `/${name}` : `${parentPath}/${name}`;
}

/** True when `candidateId` is `folderId` itself or lies somewhere beneath it. */
export async function isSelfOrDescendant(db: Kysely<Database>, candidateId: string, folderId: string): Promise<boolean> {
  const chain = await ancestryOf(db, candidateId);
  return chain.some((row) => row.id === folderId);
}

/** The live child of a folder with that name (ignoring case), if any. */
export async function findLiveChild(db: Kysely<Database>, parentId: string, name: string): Promise<NodeRow | undefined> {
  return db
    .selectFrom('nodes')
    .selectAll()
    .where('parent_id', '=', parentId)
    .where('name_key', '=', nameKeyOf(name))
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** Walks checked path segments down from the root; undefined when a segment is missing or a file is in the way. */
export async function nodeAtPath(db: Kysely<Database>, rootId: string, segments: string[]): Promise<NodeRow | undefined> {
  let current = await db.selectFrom('nodes').selectAll().where('id', '=', rootId).executeTakeFirst();
  for (const segment of segments) {
    if (!current || current.kind !== 'folder') return undefined;
    current = await findLiveChild(db, current.id, segment);
  }
  return current;
}
