/**
 * @module shares/share-view
 * Share rows as the API shows them: to members (`shareSchema`, with the link)
 * and to anyone holding the link (`publicShareSchema`, nothing more).
 */
import type { PublicShare, Share } from '@ferry/core';
import type { NodeRow, ShareRow } from '../db/schema.js';

export function shareUrl(publicUrl: string | null, token: string): string {
  return `${publicUrl ?? ''}/s/${token}`;
}

export function shareView(row: ShareRow, publicUrl: string | null): Share {
  return {
    id: row.id,
    nodeId: row.node_id,
    workspaceId: row.workspace_id,
    token: row.token,
    url: shareUrl(publicUrl, row.token),
    expiresAt: row.expires_at,
    hasPassword: row.password_hash !== null,
    maxDownloads: row.max_downloads,
    downloads: row.downloads,
    createdAt: row.created_at,
    createdBy: row.created_by,
    revokedAt: row.revoked_at,
  };
}

export function publicShareView(row: ShareRow, node: NodeRow): PublicShare {
  return {
    name: node.name,
    kind: node.kind,
    size: node.size,
    expiresAt: row.expires_at,
    passwordRequired: row.password_hash !== null,
    downloadsLeft: row.max_downloads === null ? null : Math.max(0, row.max_downloads - row.downloads),
  };
}
