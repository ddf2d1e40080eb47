/**
 * @module files/node-access
 * Loading a node for a caller: the node must exist and the caller must be a
 * member of its workspace, else the answer is 404 node_not_found (never 403,
 * so ids of other workspaces cannot be probed). Also the ETag preconditions
 * (`If-Match`, `If-None-Match`) that make writes safe against lost races.
 */
import { FerryError, type Role } from '@ferry/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Actor } from '../auth/actor.js';
import type { ServerContext } from '../context.js';
import type { Database, NodeRow } from '../db/schema.js';
import { requireRole } from '../workspaces/access.js';

export interface LoadedNode {
  node: NodeRow;
  role: Role;
}

export async function findNode(db: Kysely<Database>, nodeId: string): Promise<NodeRow | undefined> {
  return db.selectFrom('nodes').selectAll().where('id', '=', nodeId).executeTakeFirst();
}

/** Checks membership of a workspace, turning "no such workspace" into the given not-found code. */
export async function requireMember(
  ctx: ServerContext,
  actor: Actor,
  workspaceId: string,
  notFound: FerryError | (() => FerryError),
  needed: Role = 'member',
): Promise<Role> {
  try {
    return await requireRole(ctx, actor, workspaceId, needed);
  } catch (error) {
    if (error instanceof FerryError && error.code === 'workspace_not_found') throw typeof notFound === 'function' ? notFound() : notFound;
    throw error;
  }
}

export async function loadNode(ctx: ServerContext, actor: Actor, nodeId: string): Promise<LoadedNode> {
  // Made only when needed: an error captures a stack trace, and this runs on every file request.
  const notFound = () => new FerryError('node_not_found', 'No such file or folder.');
  const node = await findNode(ctx.db, nodeId);
  if (!node) throw notFound();
  const role = await requireMember(ctx, actor, node.workspace_id, notFound);
  return { node, role };
}

/** A node that is not in the trash (directly or through a deleted folder). */
export async function loadLiveNode(ctx: ServerContext, actor: Actor, nodeId: string): Promise<LoadedNode> {
  const loaded = await loadNode(ctx, actor, nodeId);
  if (loaded.node.deleted_at !== null) throw new FerryError('node_not_found', 'That file or folder is in the trash.');
  return loaded;
}

export async function loadLiveFolder(ctx: ServerContext, actor: Actor, nodeId: string): Promise<LoadedNode> {
  const loaded = await loadLiveNode(ctx, actor, nodeId);
  if (loaded.node.kind !== 'folder') throw new FerryError('not_a_folder', `"${loaded.node.name}" is a file, not a folder.`);
  return loaded;
}

// ── ETags ──────────────────────────────────────────────────────────────────

/** The entity tags of an If-Match / If-None-Match header, unquoted ("*" stays "*"); null when absent. */
export function parseEntityTags(raw: string | string[] | undefined): string[] | null {
  if (raw === undefined) return null;
  const joined = Array.isArray(raw) ? raw.join(',') : raw;
  const tags = joined
    .split(',')
    .map((part) => part.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1'))
    .filter((part) => part.length > 0);
  return tags;
}

export interface Preconditions {
  /** Tags of If-Match; null when not sent. */
  ifMatch: string[] | null;
  /** True for `If-None-Match: *` (create only). */
  ifNoneMatchAny: boolean;
}

export function preconditionsOf(request: FastifyRequest): Preconditions {
  const ifNoneMatch = parseEntityTags(request.headers['if-none-match']);
  return { ifMatch: parseEntityTags(request.headers['if-match']), ifNoneMatchAny: ifNoneMatch?.includes('*') ?? false };
}

/** Throws precondition_failed unless the node (or its absence) satisfies the request's preconditions. */
export function checkPreconditions(preconditions: Preconditions, current: { version_id: string } | undefined): void {
  const { ifMatch, ifNoneMatchAny } = preconditions;
  if (ifNoneMatchAny && current !== undefined) {
    throw new FerryError('precondition_failed', 'A file with that name exists already (If-None-Match: *).', { versionId: current.version_id });
  }
  if (ifMatch === null) return;
  if (current === undefined) throw new FerryError('precondition_failed', 'If-Match was sent but there is nothing to match.');
  if (!ifMatch.includes('*') && !ifMatch.includes(current.version_id)) {
    throw new FerryError('precondition_failed', 'The node changed since you read it (If-Match is stale).', { versionId: current.version_id });
  }
}

export function setEtag(reply: FastifyReply, versionId: string): void {
  reply.header('etag', `"${versionId}"`);
}
