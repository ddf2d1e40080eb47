/**
 * @module marketplace/integration-access
 * API calls made with Ferry-issued OAuth tokens (Zapier, the Outlook add-in,
 * any registered client), at the one place every such call passes — the
 * request hooks, after the caller is resolved:
 * - refused with 403 while the client's integration is not installed
 *   (`integration_not_enabled`) or disabled (`integration_disabled`) in the
 *   token's workspace (integration-gate.ts);
 * - measured for integration analytics (count, errors by kind, latency,
 *   bytes, files for content routes, the user) under the client's
 *   integration, or `oauth-client` for a client that names none;
 * - written to the audit log as `integration.token_used`: every write, and
 *   reads at most once a minute per client, user and workspace (a polling
 *   Zap would otherwise drown the log).
 * And unless Webhooks (or Zapier) is installed and enabled in a workspace,
 * nothing may start its deliveries another way: creating an endpoint,
 * switching one on, a test send or a replay (Zapier: a REST hook
 * subscription) answer 403 `integration_not_enabled` / `integration_disabled`
 * to members of the workspace (others get the route's own 404).
 */
import { routes } from '@ferry/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { integrationRecorder } from '../analytics/recorder.js';
import { appendAudit } from '../audit/audit-log.js';
import type { Actor } from '../auth/actor.js';
import type { ServerContext } from '../context.js';
import { requireRole } from '../workspaces/access.js';
import { endpointKindOf, requireIntegrationEnabled } from './integration-state.js';

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

/** Routes that start deliveries of an endpoint, and the integration they belong to when it is not the endpoint's own. */
const deliveryRoutes = new Set(['createWebhookEndpoint', 'updateWebhookEndpoint', 'testWebhookEndpoint', 'replayWebhookDelivery', 'subscribeRestHook']);
const requestPartsSchema = z.object({
  params: z.object({ workspaceId: z.string().optional(), endpointId: z.string().optional(), deliveryId: z.string().optional() }).partial(),
  body: z.object({ enabled: z.boolean().optional(), workspace: z.string().optional() }).partial().nullish(),
});

function integrationOfKind(kind: string): string | null {
  return Object.entries(endpointKindOf).find(([, candidate]) => candidate === kind)?.[0] ?? null;
}

/** The workspace and integration a delivery-starting request is about, or null when it starts none (or cannot tell). */
async function deliveryTarget(ctx: ServerContext, name: string, request: FastifyRequest): Promise<{ workspaceId: string; integrationId: string } | null> {
  const parts = requestPartsSchema.safeParse({ params: request.params, body: request.body });
  if (!parts.success) return null;
  const { params, body } = parts.data;
  if (name === 'subscribeRestHook') {
    const workspaceId = body?.workspace ?? request.actor?.workspaceId ?? null;
    return workspaceId === null ? null : { workspaceId, integrationId: 'zapier' };
  }
  if (name === 'createWebhookEndpoint') return params.workspaceId === undefined ? null : { workspaceId: params.workspaceId, integrationId: 'webhooks' };
  if (name === 'updateWebhookEndpoint' && body?.enabled !== true) return null;
  let endpointId = params.endpointId;
  if (name === 'replayWebhookDelivery' && params.deliveryId !== undefined) {
    endpointId = (await ctx.db.selectFrom('webhook_deliveries').select('endpoint_id').where('id', '=', params.deliveryId).executeTakeFirst())?.endpoint_id;
  }
  if (endpointId === undefined) return null;
  const endpoint = await ctx.db.selectFrom('webhook_endpoints').select(['workspace_id', 'kind']).where('id', '=', endpointId).executeTakeFirst();
  const integrationId = endpoint === undefined ? null : integrationOfKind(endpoint.kind);
  return endpoint === undefined || integrationId === null ? null : { workspaceId: endpoint.workspace_id, integrationId };
}

export function installIntegrationAccess(app: FastifyInstance, ctx: ServerContext): void {
  const lastReadAudit = new Map<string, number>();

  app.addHook('onRequest', async (request: FastifyRequest) => {
    const actor = integrationActor(request);
    if (actor?.integrationId) await requireIntegrationEnabled(ctx, actor.workspaceId, actor.integrationId);
  });

  app.addHook('preHandler', async (request: FastifyRequest) => {
    const name = routeNameOf(request);
    if (request.actor === null || !deliveryRoutes.has(name)) return;
    const target = await deliveryTarget(ctx, name, request);
    if (target === null) return;
    try {
      await requireRole(ctx, request.actor, target.workspaceId);
    } catch {
      return; // Not a member: the route answers as it would anyway.
    }
    await requireIntegrationEnabled(ctx, target.workspaceId, target.integrationId);
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
