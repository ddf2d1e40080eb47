/**
 * @module files/node-view
 * Database rows of the file store as the API shows them (`nodeSchema`,
 * `versionSchema` of @ferry/core).
 */
import type { FerryNode, FileVersion } from '@ferry/core';
import type { NodeRow, VersionRow } from '../db/schema.js';

export function nodeView(row: NodeRow, path?: string): FerryNode {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    parentId: row.parent_id,
    kind: row.kind,
    name: row.name,
    size: row.size,
    sha256: row.sha256,
    versionId: row.version_id,
    contentVersionId: row.content_version_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
    ...(path === undefined ? {} : { path }),
  };
}

export function versionView(row: VersionRow, currentVersionId: string | null): FileVersion {
  return {
    id: row.id,
    fileId: row.file_id,
    size: row.size,
    sha256: row.sha256,
    authorId: row.author_id,
    source: row.source,
    createdAt: row.created_at,
    current: row.id === currentVersionId,
  };
}

/** The key under which names are unique in a folder: NFC, lower-cased. */
export function nameKeyOf(name: string): string {
  return name.normalize('NFC').toLowerCase();
}
