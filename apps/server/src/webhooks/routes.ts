/**
 * @module webhooks/routes
 * Webhook management: endpoints of a workspace (list/create/get/update/delete),
 * secret rotation, a test message, the delivery log and replay, and the
 * REST-hook subscribe/unsubscribe pair Zapier calls. Every route needs the
 * admin role in the endpoint's workspace; every change is audited. Secrets are
 * answered only by create and rotate-secret.
 */
import { FerryError } from '@ferry/core';
import type { FastifyInstance } from 'fastify';
import { appendAudit } from '../audit/audit-log.js';
import type { Actor } from '../auth/actor.js';
import type { ServerContext } from '../context.js';
import { route } from '../http/route.js';
import { requireRole } from '../workspaces/access.js';
import { describeDelivery, getDelivery, listDeliveries, replayDelivery, sendTestMessage } from './delivery-log.js';
import { createEndpoint, deleteEndpoint, endpointForAdmin, endpointFromRow, rotateSecret, updateEndpoint } from './endpoint-store.js';

async function endpointInWorkspace(ctx: ServerContext, actor: Actor, workspaceId: string, endpointId: string) {
  const row = await endpointForAdmin(ctx, actor, endpointId);
  if (row.workspace_id !== workspaceId) throw new FerryError('webhook_not_found', 'No such webhook endpoint.');
  return row;
}

/** The workspace a REST-hook call is about: the named one, or the caller's only one. */
async function hookWorkspace(ctx: ServerContext, actor: Actor, named: string | undefined): Promise<string> {
  if (named !== undefined) return named;
  // An OAuth access token (Zapier) acts in the one workspace it was granted.
  if (typeof actor.workspaceId === 'string') return actor.workspaceId;
  const rows = await ctx.db.selectFrom('members').select('workspace_id').where('user_id', '=', actor.userId).limit(2).execute();
  const only = rows.length === 1 ? rows[0] : undefined;
  if (only === undefined) throw new FerryError('bad_request', 'Name the workspace ("workspace"): you belong to several.');
  return only.workspace_id;
}

export function registerWebhookRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, 'listWebhookEndpoints', async ({ params, actor }) => {
    await requireRole(ctx, actor, params.workspaceId, 'admin');
    const rows = await ctx.db.selectFrom('webhook_endpoints').selectAll().where('workspace_id', '=', params.workspaceId).orderBy('created_at').orderBy('id').execute();
    return { items: rows.map(endpointFromRow) };
  });

  route(app, 'createWebhookEndpoint', async ({ params, body, actor, request }) => {
    await requireRole(ctx, actor, params.workspaceId, 'admin');
    const { row, secret } = await createEndpoint(ctx, { workspaceId: params.workspaceId, actor, ip: request.ip, kind: 'endpoint', ...body });
    return { ...endpointFromRow(row), secret };
  });

  route(app, 'getWebhookEndpoint', async ({ params, actor }) => endpointFromRow(await endpointInWorkspace(ctx, actor, params.workspaceId, params.endpointId)));

  route(app, 'updateWebhookEndpoint', async ({ params, body, actor, request }) => {
    const row = await endpointInWorkspace(ctx, actor, params.workspaceId, params.endpointId);
    return endpointFromRow(await updateEndpoint(ctx, row, body, actor, request.ip));
  });

  route(app, 'deleteWebhookEndpoint', async ({ params, actor, request }) => {
    const row = await endpointInWorkspace(ctx, actor, params.workspaceId, params.endpointId);
    await deleteEndpoint(ctx, row, actor, request.ip);
    return { ok: true as const };
  });

  route(app, 'rotateWebhookSecret', async ({ params, actor, request }) => {
    const { row, secret } = await rotateSecret(ctx, await endpointForAdmin(ctx, actor, params.endpointId), actor, request.ip);
    return { ...endpointFromRow(row), secret };
  });

  route(app, 'testWebhookEndpoint', async ({ params, actor, request }) => {
    const row = await endpointForAdmin(ctx, actor, params.endpointId);
    const result = await sendTestMessage(ctx, row);
    await appendAudit(ctx.db, {
      at: ctx.clock.now().toISOString(),
      workspaceId: row.workspace_id,
      actorId: actor.userId,
      action: 'webhook.tested',
      target: row.id,
      ip: request.ip,
      details: { deliveryId: result.deliveryId, ok: result.ok, responseStatus: result.responseStatus },
    });
    return result;
  });

  route(app, 'listWebhookDeliveries', async ({ params, query, actor }) => {
    const row = await endpointForAdmin(ctx, actor, params.endpointId);
    return listDeliveries(ctx, row.id, query.cursor, query.limit ?? 50);
  });

  route(app, 'replayWebhookDelivery', async ({ params, actor, request }) => {
    const delivery = await getDelivery(ctx, params.deliveryId);
    try {
      await endpointForAdmin(ctx, actor, delivery.endpoint_id);
    } catch (error) {
      if (error instanceof FerryError && error.code === 'webhook_not_found') throw new FerryError('delivery_not_found', 'No such webhook delivery.');
      throw error;
    }
    const replayed = await replayDelivery(ctx, delivery);
    await appendAudit(ctx.db, {
      at: ctx.clock.now().toISOString(),
      workspaceId: delivery.workspace_id,
      actorId: actor.userId,
      action: 'webhook.replayed',
      target: delivery.id,
      ip: request.ip,
      details: { endpointId: delivery.endpoint_id },
    });
    return describeDelivery(ctx, replayed);
  });

  route(app, 'subscribeRestHook', async ({ body, actor, request }) => {
    const workspaceId = await hookWorkspace(ctx, actor, body.workspace);
    await requireRole(ctx, actor, workspaceId, 'admin');
    const { row } = await createEndpoint(ctx, {
      workspaceId,
      actor,
      ip: request.ip,
      kind: 'rest_hook',
      url: body.target_url,
      description: `REST hook (${actor.source})`,
      eventTypes: [body.event],
      enabled: true,
    });
    return { id: row.id };
  });

  route(app, 'unsubscribeRestHook', async ({ params, actor, request }) => {
    const row = await endpointForAdmin(ctx, actor, params.hookId);
    if (row.kind !== 'rest_hook') throw new FerryError('webhook_not_found', 'No such REST hook.');
    await deleteEndpoint(ctx, row, actor, request.ip);
    return { ok: true as const };
  });
}
