/**
 * @module marketplace/integration-access
 * API calls made with Ferry-issued OAuth tokens (Zapier, the Outlook add-in,
 * any registered client), at the one place every such call passes — the
 * request hooks, after the caller is resolved:
 * - refused with 403 `integration_disabled` while the client's integration
 *   is disabled in the token's workspace;
 * - measured for integration analytics (count, errors by kind, latency,
 *   bytes, files for content routes, the user) under the client's
 *   integration, or `oauth-client` for a client that names none;
 * - written to the audit log as `integration.token_used`: every write, and
 *   reads at most once a minute per client, user and workspace (a polling
 *   Zap would otherwise drown the log).
 */
import { routes } from '@ferry/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { integrationRecorder } from '../analytics/recorder.js';
import { appendAudit } from '../audit/audit-log.js';
import type { Actor } from '../auth/actor.js';
import type { ServerContext } from '../context.js';
import { requireIntegrationEnabled } from './integration-state.js';

/** Routes that move one file's content. */
const contentRoutes = new Set(['putFileByName', 'putFileContent', 'getFileContent', 'finishUpload']);
const readAuditEveryMs = 60_000;
const unlinkedIntegration = 'oauth-client';

const routeNames = new Map<string, string>(Object.entries(routes).map(([name, spec]) => [`${spec.method} ${spec.path}`, name]));

/** The route table's name of the request's route, else its method and pattern. */
export function routeNameOf(request: FastifyRequest): string {
  const pattern = request.routeOptions.url ?? request.url.split('?')[0] ?? '';
  return routeNames.get(`${request.method} ${pattern}`) ?? `${request.method} ${pattern}`;
}

function integrationActor(request: FastifyRequest): (Actor & { clientId: string; workspaceId: string }) | null {
  const actor = request.actor;
  if (actor === null || typeof actor.clientId !== 'string' || typeof actor.workspaceId !== 'string') return null;
  return { ...actor, clientId: actor.clientId, workspaceId: actor.workspaceId };
}

function errorKindOf(status: number) {
  if (status < 400) return null;
  if (status === 429) return 'rate_limited' as const;
  return status >= 500 ? ('http_5xx' as const) : ('http_4xx' as const);
}

/** Bytes of the answer: the payload when it is in memory, else the Content-Length a stream declared. */
function payloadBytes(payload: unknown, reply: FastifyReply): number {
  if (typeof payload === 'string') return Buffer.byteLength(payload);
  if (Buffer.isBuffer(payload)) return payload.byteLength;
  return Number(reply.getHeader('content-length') ?? 0) || 0;
}

export function installIntegrationAccess(app: FastifyInstance, ctx: ServerContext): void {
  const lastReadAudit = new Map<string, number>();

  app.addHook('onRequest', async (request: FastifyRequest) => {
    const actor = integrationActor(request);
    if (actor?.integrationId) await requireIntegrationEnabled(ctx, actor.workspaceId, actor.integrationId);
  });

  // onSend, not onResponse: the audit row is written before the caller sees the answer.
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const actor = integrationActor(request);
    if (actor === null) return payload;
    const integration = actor.integrationId ?? unlinkedIntegration;
    const operation = routeNameOf(request);
    const status = reply.statusCode;
    const errorKind = errorKindOf(status);
    integrationRecorder(ctx).record({
      workspaceId: actor.workspaceId,
      integration,
      operation,
      userId: actor.userId,
      ok: errorKind === null,
      errorKind,
      durationMs: reply.elapsedTime,
      bytesIn: Number(request.headers['content-length'] ?? 0) || 0,
      bytesOut: payloadBytes(payload, reply),
      files: errorKind === null && contentRoutes.has(operation) ? 1 : 0,
    });
    const now = ctx.clock.now();
    const key = `${actor.clientId}\n${actor.userId}\n${actor.workspaceId}`;
    const write = request.method !== 'GET' && request.method !== 'HEAD';
    if (!write && now.getTime() - (lastReadAudit.get(key) ?? Number.NEGATIVE_INFINITY) < readAuditEveryMs) return payload;
    if (!write) {
      if (lastReadAudit.size >= 10_000) lastReadAudit.clear();
      lastReadAudit.set(key, now.getTime());
    }
    try {
      await appendAudit(ctx.db, {
        at: now.toISOString(),
        workspaceId: actor.workspaceId,
        actorId: actor.userId,
        action: 'integration.token_used',
        target: integration,
        ip: request.ip,
        details: { clientId: actor.clientId, method: request.method, route: operation, status },
      });
    } catch (error) {
      request.log.warn({ err: error }, 'audit of an integration token use failed');
    }
    return payload;
  });
}
