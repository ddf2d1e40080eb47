/**
 * @module marketplace/routes
 * The catalog (any signed-in user) and a workspace's installs: members read
 * them; install, configure, enable/disable, upgrade and remove need an admin
 * or owner. The catalog is loaded when the routes are registered, so a bad
 * manifest stops the server at start. Calls with integration OAuth tokens are
 * checked, measured and audited from here (integration-access.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { route } from '../http/route.js';
import { requireRole } from '../workspaces/access.js';
import { openCatalog } from './catalog.js';
import { installIntegrationAccess } from './integration-access.js';
import { configureIntegration, installIntegration, removeIntegration, setIntegrationEnabled, upgradeIntegration } from './install-service.js';
import { describeInstall, listInstallRows, requireInstall } from './install-store.js';

export function registerMarketplaceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const catalog = openCatalog(ctx);
  ctx.log.debug({ integrations: catalog.size }, 'marketplace catalog loaded');
  installIntegrationAccess(app, ctx);

  route(app, 'listMarketplace', async ({ query }) => ({
    items: catalog.search(query.q, query.category).map((loaded) => catalog.entry(loaded)),
    categories: catalog.categories(),
  }));

  route(app, 'getMarketplaceIntegration', async ({ params, query }) => catalog.entry(catalog.get(params.integrationId, query.version)));

  route(app, 'listInstalls', async ({ params, actor }) => {
    await requireRole(ctx, actor, params.workspaceId);
    const rows = await listInstallRows(ctx, params.workspaceId);
    return { items: rows.map((row) => describeInstall(catalog, row)) };
  });

  route(app, 'getInstall', async ({ params, actor }) => {
    await requireRole(ctx, actor, params.workspaceId);
    return describeInstall(catalog, await requireInstall(ctx, params.workspaceId, params.integrationId));
  });

  const admin = async (workspaceId: string, actor: Parameters<typeof requireRole>[1], ip: string) => {
    await requireRole(ctx, actor, workspaceId, 'admin');
    return { ctx, catalog, actor, ip };
  };

  route(app, 'installIntegration', async ({ params, body, actor, request }) => {
    const change = await admin(params.workspaceId, actor, request.ip);
    return describeInstall(catalog, await installIntegration(change, params.workspaceId, body));
  });

  route(app, 'configureIntegration', async ({ params, body, actor, request }) => {
    const change = await admin(params.workspaceId, actor, request.ip);
    return describeInstall(catalog, await configureIntegration(change, params.workspaceId, params.integrationId, body.settings));
  });

  route(app, 'updateInstall', async ({ params, body, actor, request }) => {
    const change = await admin(params.workspaceId, actor, request.ip);
    return describeInstall(catalog, await setIntegrationEnabled(change, params.workspaceId, params.integrationId, body.enabled));
  });

  route(app, 'upgradeIntegration', async ({ params, body, actor, request }) => {
    const change = await admin(params.workspaceId, actor, request.ip);
    return describeInstall(catalog, await upgradeIntegration(change, params.workspaceId, params.integrationId, body));
  });

  route(app, 'removeIntegration', async ({ params, actor, request }) => {
    const change = await admin(params.workspaceId, actor, request.ip);
    return { ok: true as const, revoked: await removeIntegration(change, params.workspaceId, params.integrationId) };
  });
}
