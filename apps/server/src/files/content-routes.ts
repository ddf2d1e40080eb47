/**
 * @module files/content-routes
 * File content over HTTP: streamed PUT (by name into a folder, or onto an
 * existing file), download with Range, the versions of a file and restoring
 * one. Bodies are never buffered: they stream to a temp blob, hashed as they go.
 */
import { FerryError } from '@ferry/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Actor } from '../auth/actor.js';
import type { ServerContext } from '../context.js';
import { route } from '../http/route.js';
import { blobStoreOf } from './file-store.js';
import { commitFileContent, restoreFileVersion, type WriteTarget } from './file-writes.js';
import { checkPreconditions, loadLiveFolder, loadLiveNode, loadNode, preconditionsOf } from './node-access.js';
import { findLiveChild } from './node-paths.js';
import { versionView } from './node-view.js';
import { announcedLength, receiveVerifiedBody, withRawBodies } from './request-body.js';
import { answerNode, checkedName } from './node-answer.js';
import { sendDownload } from './send-content.js';

/** Bodies left unread above this size are not drained after an error: the connection is closed instead. */
const drainLimitBytes = 8 * 1024 * 1024;

/** Runs an upload handler; when it fails with body bytes unread, a large rest is not drained but the connection closed. */
export async function guardUpload<T>(request: FastifyRequest, reply: FastifyReply, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!request.raw.readableEnded) {
      const length = announcedLength(request);
      if (length === null || length > drainLimitBytes) reply.header('connection', 'close');
    }
    throw error;
  }
}

export function registerContentRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const store = blobStoreOf(ctx);

  async function putContent(request: FastifyRequest, reply: FastifyReply, actor: Actor, workspaceId: string, target: WriteTarget) {
    const preconditions = preconditionsOf(request);
    const temp = await receiveVerifiedBody(store, request, ctx.config.maxUploadBytes);
    const written = await commitFileContent(ctx, store, { workspaceId, target, content: temp, preconditions, actor, ip: request.ip });
    return answerNode(reply, written.node, written.path);
  }

  withRawBodies(app, (scope) => {
    route(scope, 'putFileByName', async ({ params, actor, request, reply }) =>
      guardUpload(request, reply, async () => {
        const name = checkedName(params.name);
        const { node: folder } = await loadLiveFolder(ctx, actor, params.nodeId);
        // Fail fast, before a byte is read or stored; checked again when the content is committed.
        const existing = await findLiveChild(ctx.db, folder.id, name);
        if (existing && existing.kind !== 'file') throw new FerryError('name_conflict', `A folder named "${existing.name}" exists there already.`);
        checkPreconditions(preconditionsOf(request), existing);
        return putContent(request, reply, actor, folder.workspace_id, { parentId: folder.id, name });
      }),
    );

    route(scope, 'putFileContent', async ({ params, actor, request, reply }) =>
      guardUpload(request, reply, async () => {
        const { node } = await loadLiveNode(ctx, actor, params.nodeId);
        if (node.kind !== 'file') throw new FerryError('not_a_file', `"${node.name}" is a folder.`);
        checkPreconditions(preconditionsOf(request), node);
        return putContent(request, reply, actor, node.workspace_id, { fileId: node.id });
      }),
    );
  });

  route(app, 'getFileContent', async ({ params, query, actor, request, reply }) => {
    const { node } = await loadNode(ctx, actor, params.nodeId);
    if (node.kind !== 'file' || node.sha256 === null) throw new FerryError('not_a_file', `"${node.name}" is a folder.`);
    let content = { sha256: node.sha256, size: node.size, etag: node.version_id as string | null };
    if (query.versionId !== undefined && query.versionId !== node.content_version_id) {
      const version = await ctx.db.selectFrom('versions').selectAll().where('id', '=', query.versionId).where('file_id', '=', node.id).executeTakeFirst();
      if (!version) throw new FerryError('version_not_found', 'No such version of this file.');
      content = { sha256: version.sha256, size: version.size, etag: null };
    }
    return sendDownload(request, reply, { path: store.pathOf(content.sha256), size: content.size, sha256: content.sha256, name: node.name, etag: content.etag });
  });

  route(app, 'listVersions', async ({ params, actor }) => {
    const { node } = await loadNode(ctx, actor, params.nodeId);
    if (node.kind !== 'file') throw new FerryError('not_a_file', `"${node.name}" is a folder.`);
    const rows = await ctx.db
      .selectFrom('versions')
      .selectAll()
      .where('file_id', '=', node.id)
      .orderBy('created_at', 'desc')
      .orderBy(sql`rowid`, 'desc')
      .execute();
    return { items: rows.map((row) => versionView(row, node.content_version_id)) };
  });

  route(app, 'restoreVersion', async ({ params, actor, request, reply }) => {
    const { node } = await loadLiveNode(ctx, actor, params.nodeId);
    if (node.kind !== 'file') throw new FerryError('not_a_file', `"${node.name}" is a folder.`);
    const restored = await restoreFileVersion(ctx, { file: node, versionId: params.versionId, preconditions: preconditionsOf(request), actor, ip: request.ip });
    return answerNode(reply, restored.node, restored.path);
  });
}
