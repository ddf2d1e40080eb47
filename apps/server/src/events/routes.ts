/**
 * @module events/routes
 * The event feed over HTTP: pages after a cursor (with long-poll), the same
 * without naming the workspace, and the Server-Sent Events stream.
 */
import { setMaxListeners } from 'node:events';
import { FerryError } from '@ferry/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../auth/actor.js';
import type { ServerContext } from '../context.js';
import { route } from '../http/route.js';
import { requireRole } from '../workspaces/access.js';
import { workspacesVisibleTo } from '../workspaces/service.js';
import { defaultEventLimit, eventPageJson, parseCursor, resolveCursor } from './event-reader.js';
import { streamEvents } from './event-stream.js';
import { readPageWaiting } from './long-poll.js';

interface FeedQuery {
  cursor?: string | undefined;
  limit?: number | undefined;
  wait?: number | undefined;
}

/** A signal that aborts when the client goes away (or the server closes). */
function disconnectSignal(reply: FastifyReply, closing: AbortSignal): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  reply.raw.once('close', abort);
  closing.addEventListener('abort', abort, { once: true });
  return {
    signal: controller.signal,
    release() {
      reply.raw.off('close', abort);
      closing.removeEventListener('abort', abort);
    },
  };
}

export function registerEventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const closing = new AbortController();
  // Every open long-poll and stream listens on this one signal: no listener-count warning.
  setMaxListeners(0, closing.signal);
  app.addHook('preClose', async () => closing.abort());

  async function sendPage(actor: Actor, workspaceId: string, query: FeedQuery, reply: FastifyReply): Promise<FastifyReply> {
    await requireRole(ctx, actor, workspaceId);
    const afterSeq = await resolveCursor(ctx.db, workspaceId, parseCursor(query.cursor));
    const connection = disconnectSignal(reply, closing.signal);
    try {
      const rows = await readPageWaiting(ctx, {
        workspaceId,
        afterSeq,
        limit: query.limit ?? defaultEventLimit,
        waitMs: (query.wait ?? 0) * 1000,
        signal: connection.signal,
      });
      return reply.type('application/json; charset=utf-8').send(eventPageJson(rows, afterSeq));
    } finally {
      connection.release();
    }
  }

  route(app, 'listEvents', async ({ actor, params, query, reply }) => sendPage(actor, params.workspaceId, query, reply));

  route(app, 'listEventsDefault', async ({ actor, query, reply }) => {
    let workspaceId = query.workspace;
    if (workspaceId === undefined) {
      const workspaces = await workspacesVisibleTo(ctx.db, actor);
      if (workspaces.length !== 1 || !workspaces[0]) {
        throw new FerryError('bad_request', `You belong to ${workspaces.length} workspaces: name one with ?workspace=<workspaceId>.`);
      }
      workspaceId = workspaces[0].id;
    }
    return sendPage(actor, workspaceId, query, reply);
  });

  route(app, 'streamEvents', async ({ actor, params, query, request, reply }) => {
    await requireRole(ctx, actor, params.workspaceId);
    const afterSeq = await resolveCursor(ctx.db, params.workspaceId, parseCursor(lastEventId(request) ?? query.cursor));
    await streamEvents(ctx, { workspaceId: params.workspaceId, afterSeq, reply, closing: closing.signal });
    return reply;
  });
}

function lastEventId(request: FastifyRequest): string | undefined {
  const raw = request.headers['last-event-id'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
