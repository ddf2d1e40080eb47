/**
 * @module files/upload-routes
 * Resumable uploads over HTTP: create a session, ask where it stands, append
 * chunks at `Upload-Offset`, finish (verify and put the file in place), cancel.
 */
import { FerryError } from '@ferry/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServerContext } from '../context.js';
import type { UploadSessionRow } from '../db/schema.js';
import { route } from '../http/route.js';
import { guardUpload } from './content-routes.js';
import { blobStoreOf } from './file-store.js';
import { answerNode, checkedName } from './node-answer.js';
import { checkPreconditions, loadLiveFolder } from './node-access.js';
import { findLiveChild } from './node-paths.js';
import { announcedLength, withRawBodies } from './request-body.js';
import { UploadSessions, uploadSessionView } from './uploads.js';

/** How often expired upload sessions are swept while the server runs. */
const sweepIntervalMs = 10 * 60_000;

function answerSession(reply: FastifyReply, row: UploadSessionRow) {
  reply.header('upload-offset', String(row.offset));
  reply.header('cache-control', 'no-store');
  return uploadSessionView(row);
}

function uploadOffsetOf(raw: string | string[] | undefined): number {
  if (typeof raw !== 'string' || !/^\d+$/.test(raw.trim())) throw new FerryError('bad_request', 'Send the Upload-Offset header: the byte offset this chunk starts at.');
  return Number(raw.trim());
}

export function registerUploadRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const sessions = new UploadSessions(ctx, blobStoreOf(ctx));
  let sweeper: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    const removed = await sessions.cleanUp({ orphans: true });
    if (removed > 0) ctx.log.info({ removed }, 'removed expired or orphaned upload sessions');
    sweeper = setInterval(() => {
      sessions.cleanUp({ orphans: false }).catch((error: unknown) => ctx.log.warn({ err: error }, 'upload clean-up failed'));
    }, sweepIntervalMs);
    sweeper.unref();
  });
  app.addHook('onClose', async () => clearInterval(sweeper));

  route(app, 'createUpload', async ({ body, actor, reply }) => {
    const name = checkedName(body.name);
    if (body.size > ctx.config.maxUploadBytes) throw new FerryError('payload_too_large', `A file may be at most ${ctx.config.maxUploadBytes} bytes.`);
    const { node: folder } = await loadLiveFolder(ctx, actor, body.parentId);
    const existing = await findLiveChild(ctx.db, folder.id, name);
    if (existing && existing.kind !== 'file') throw new FerryError('name_conflict', `A folder named "${existing.name}" exists there already.`);
    if (body.ifMatch !== undefined) checkPreconditions({ ifMatch: [body.ifMatch], ifNoneMatchAny: false }, existing);
    const row = await sessions.create({
      actor,
      workspaceId: folder.workspace_id,
      parentId: folder.id,
      name,
      size: body.size,
      sha256: body.sha256 ?? null,
      ifMatch: body.ifMatch ?? null,
    });
    return answerSession(reply, row);
  });

  route(app, 'getUpload', async ({ params, actor, reply }) => answerSession(reply, await sessions.load(actor, params.uploadId)));

  withRawBodies(app, (scope) =>
    route(scope, 'appendUpload', async ({ params, actor, request, reply }) =>
      guardUpload(request, reply, async () => {
        const offset = uploadOffsetOf(request.headers['upload-offset']);
        const row = await sessions.load(actor, params.uploadId);
        const updated = await sessions.append(row, offset, request.raw, announcedLength(request));
        return answerSession(reply, updated);
      }),
    ),
  );

  route(app, 'finishUpload', async ({ params, actor, request, reply }) => {
    const row = await sessions.load(actor, params.uploadId);
    const written = await sessions.finish(row, actor, request.ip);
    return answerNode(reply, written.node, written.path);
  });

  route(app, 'cancelUpload', async ({ params, actor }) => {
    const row = await sessions.load(actor, params.uploadId);
    await sessions.remove(row.id);
    return { ok: true as const };
  });
}
