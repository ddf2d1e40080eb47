/**
 * @module files/routes
 * The tree routes of the file store: read a node, its path and children,
 * search, the trash, create folders, rename/move, delete and restore.
 * Content routes (upload, download, versions) live in content-routes.ts.
 */
import { FerryError, splitPath } from '@ferry/core';
import type { FastifyInstance } from 'fastify';
import type { Actor } from '../auth/actor.js';
import type { ServerContext } from '../context.js';
import { route } from '../http/route.js';
import { requireRole } from '../workspaces/access.js';
import { registerBatchUploadRoutes } from './batch-upload-routes.js';
import { registerContentRoutes } from './content-routes.js';
import { blobStoreOf } from './file-store.js';
import { loadLiveFolder, loadLiveNode, loadNode, preconditionsOf } from './node-access.js';
import { listChildren, listTrash, searchByName, type NodePage } from './node-listing.js';
import { nodeAtPath, pathOf } from './node-paths.js';
import { createFolder, moveNode, restoreNode, trashNode } from './node-service.js';
import { nodeView } from './node-view.js';
import { answerNode, checkedName } from './node-answer.js';

async function rootFolderIdOf(ctx: ServerContext, workspaceId: string): Promise<string> {
  const workspace = await ctx.db.selectFrom('workspaces').select('root_folder_id').where('id', '=', workspaceId).executeTakeFirstOrThrow();
  return workspace.root_folder_id;
}

async function withPaths(ctx: ServerContext, page: NodePage) {
  const items = [];
  for (const row of page.items) items.push(nodeView(row, await pathOf(ctx.db, row.id)));
  return { items, nextCursor: page.nextCursor };
}

const changeOf = (actor: Actor, ip: string) => ({ actor, ip });

export function registerFileRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const store = blobStoreOf(ctx);
  // Every upload route shares the store; its writer threads stop with the server.
  app.addHook('onClose', async () => store.close());

  route(app, 'resolvePath', async ({ params, query, actor, reply }) => {
    await requireRole(ctx, actor, params.workspaceId);
    const segments = splitPath(query.path);
    if (!segments.ok) throw segments.error;
    const node = await nodeAtPath(ctx.db, await rootFolderIdOf(ctx, params.workspaceId), segments.value);
    if (!node) throw new FerryError('node_not_found', `Nothing at "${query.path}".`);
    return answerNode(reply, node, await pathOf(ctx.db, node.id));
  });

  route(app, 'search', async ({ params, query, actor }) => {
    await requireRole(ctx, actor, params.workspaceId);
    return withPaths(ctx, await searchByName(ctx.db, params.workspaceId, query.q, query.cursor, query.limit));
  });

  route(app, 'listTrash', async ({ params, query, actor }) => {
    await requireRole(ctx, actor, params.workspaceId);
    return withPaths(ctx, await listTrash(ctx.db, params.workspaceId, query.cursor, query.limit));
  });

  route(app, 'getNode', async ({ params, actor, reply }) => {
    const { node } = await loadNode(ctx, actor, params.nodeId);
    return answerNode(reply, node, await pathOf(ctx.db, node.id));
  });

  route(app, 'listChildren', async ({ params, query, actor }) => {
    const { node } = await loadLiveFolder(ctx, actor, params.nodeId);
    const page = await listChildren(ctx.db, node.id, query.cursor, query.limit);
    return { items: page.items.map((row) => nodeView(row)), nextCursor: page.nextCursor };
  });

  route(app, 'createFolder', async ({ params, body, actor, request, reply }) => {
    const { node: parent } = await loadLiveFolder(ctx, actor, params.nodeId);
    const created = await createFolder(ctx, changeOf(actor, request.ip), parent, checkedName(body.name));
    return answerNode(reply, created.node, created.path);
  });

  route(app, 'updateNode', async ({ params, body, actor, request, reply }) => {
    const { node } = await loadLiveNode(ctx, actor, params.nodeId);
    if (body.parentId !== undefined && body.parentId !== node.parent_id) {
      const target = await loadNode(ctx, actor, body.parentId);
      if (target.node.workspace_id !== node.workspace_id) throw new FerryError('node_not_found', 'No such folder in this workspace.');
    }
    const moved = await moveNode(ctx, changeOf(actor, request.ip), {
      node,
      ...(body.name === undefined ? {} : { name: checkedName(body.name) }),
      ...(body.parentId === undefined ? {} : { parentId: body.parentId }),
      preconditions: preconditionsOf(request),
    });
    return answerNode(reply, moved.node, moved.path);
  });

  route(app, 'deleteNode', async ({ params, actor, request, reply }) => {
    const { node } = await loadLiveNode(ctx, actor, params.nodeId);
    const trashed = await trashNode(ctx, changeOf(actor, request.ip), { node, preconditions: preconditionsOf(request) });
    return answerNode(reply, trashed.node, trashed.path);
  });

  route(app, 'restoreNode', async ({ params, actor, request, reply }) => {
    const { node } = await loadNode(ctx, actor, params.nodeId);
    const restored = await restoreNode(ctx, changeOf(actor, request.ip), { node, rootFolderId: await rootFolderIdOf(ctx, node.workspace_id) });
    return answerNode(reply, restored.node, restored.path);
  });

  registerContentRoutes(app, ctx);
  registerBatchUploadRoutes(app, ctx);
}
