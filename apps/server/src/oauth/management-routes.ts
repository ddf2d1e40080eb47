/**
 * @module oauth/management-routes
 * The JSON routes of the table's "oauth" tag: workspace admins register,
 * list and delete clients; every user lists and withdraws their own grants.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { route } from '../http/route.js';
import { catalogOf } from '../marketplace/catalog.js';
import { requireRole } from '../workspaces/access.js';
import { deleteClient, listClients, registerClient } from './clients.js';
import { listGrants, revokeGrant } from './grants.js';

export function registerOAuthManagementRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, 'listOAuthClients', async ({ actor, params }) => {
    await requireRole(ctx, actor, params.workspaceId, 'admin');
    return { items: await listClients(ctx, params.workspaceId) };
  });

  route(app, 'createOAuthClient', async ({ actor, params, body, request }) => {
    await requireRole(ctx, actor, params.workspaceId, 'admin');
    // An integration client names an integration of the marketplace (404 integration_not_found otherwise).
    if (body.integrationId !== undefined) catalogOf(ctx).get(body.integrationId);
    return registerClient(ctx, { ...body, workspaceId: params.workspaceId, actorId: actor.userId, ip: request.ip });
  });

  route(app, 'deleteOAuthClient', async ({ actor, params, request }) => {
    await requireRole(ctx, actor, params.workspaceId, 'admin');
    await deleteClient(ctx, { workspaceId: params.workspaceId, clientId: params.clientId, actorId: actor.userId, ip: request.ip });
    return { ok: true as const };
  });

  route(app, 'listOAuthGrants', async ({ actor }) => ({ items: await listGrants(ctx, actor.userId) }));

  route(app, 'revokeOAuthGrant', async ({ actor, params, request }) => {
    await revokeGrant(ctx, { userId: actor.userId, grantId: params.grantId, ip: request.ip });
    return { ok: true as const };
  });
}
