/**
 * @module shares/routes
 * Share links over HTTP: members create, list and revoke them; anyone with
 * the link reads what it points at and downloads it (password in
 * `X-Share-Password`, each download counted). The page at /s/:token is the
 * web console's; this is its API.
 */
import { FerryError } from '@ferry/core';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { blobStoreOf } from '../files/file-store.js';
import { loadLiveNode, requireMember } from '../files/node-access.js';
import { sendDownload } from '../files/send-content.js';
import { route } from '../http/route.js';
import { requireRole } from '../workspaces/access.js';
import { checkSharePassword, countDownload, createShare, findShare, listShares, openPublicShare, revokeShare } from './share-service.js';
import { publicShareView, shareView } from './share-view.js';

export function registerShareRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const store = blobStoreOf(ctx);

  route(app, 'createShare', async ({ params, body, actor, request }) => {
    const { node } = await loadLiveNode(ctx, actor, params.nodeId);
    const share = await createShare(ctx, actor, request.ip, node, {
      ...(body.expiresAt === undefined ? {} : { expiresAt: body.expiresAt }),
      ...(body.password === undefined ? {} : { password: body.password }),
      ...(body.maxDownloads === undefined ? {} : { maxDownloads: body.maxDownloads }),
    });
    return shareView(share, ctx.config.publicUrl);
  });

  route(app, 'listShares', async ({ params, actor }) => {
    await requireRole(ctx, actor, params.workspaceId);
    const rows = await listShares(ctx, params.workspaceId);
    return { items: rows.map((row) => shareView(row, ctx.config.publicUrl)) };
  });

  route(app, 'revokeShare', async ({ params, actor, request }) => {
    const notFound = new FerryError('share_not_found', 'No such share link.');
    const share = await findShare(ctx, params.shareId);
    if (!share) throw notFound;
    await requireMember(ctx, actor, share.workspace_id, notFound);
    await revokeShare(ctx, actor, request.ip, share);
    return { ok: true as const };
  });

  route(app, 'getPublicShare', async ({ params, reply }) => {
    const { share, node } = await openPublicShare(ctx, params.token);
    reply.header('cache-control', 'no-store');
    reply.header('referrer-policy', 'no-referrer');
    return publicShareView(share, node);
  });

  route(app, 'downloadPublicShare', async ({ params, request, reply }) => {
    const { share, node } = await openPublicShare(ctx, params.token);
    const password = request.headers['x-share-password'];
    await checkSharePassword(share, typeof password === 'string' ? password : undefined);
    if (node.sha256 === null) throw new FerryError('share_not_found', 'No such share link.');
    // A HEAD request (a browser or client probing the link) is not a download.
    if (request.method !== 'HEAD') await countDownload(ctx, share, request.ip);
    reply.header('cache-control', 'no-store');
    reply.header('referrer-policy', 'no-referrer');
    return sendDownload(request, reply, { path: store.pathOf(node.sha256), size: node.size, sha256: node.sha256, name: node.name, etag: null });
  });
}
