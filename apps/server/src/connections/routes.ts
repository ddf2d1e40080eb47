/**
 * @module connections/routes
 * The connection endpoints of the route table, and the browser's return from
 * a provider (`GET /oauth/callback/:provider`, outside `/api`): on success it
 * redirects to the console (`/connections?connected=<id>`), otherwise it shows
 * a page that says what went wrong and what to do.
 */
import { FerryError, providerIdSchema, providerIds } from '@ferry/core';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { route } from '../http/route.js';
import { escapeHtml } from '../oauth/consent-page.js';
import { requireRole } from '../workspaces/access.js';
import { completeAuthorization, startAuthorization } from './authorize-flow.js';
import { checkConnection, disconnect } from './connection-actions.js';
import { closeConnectionServices } from './connection-services.js';
import { connectionFromRow, listConnectionRows, requireConnectionRow } from './connection-store.js';
import { resolveProvider } from './provider-catalog.js';

function errorPage(message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ferry could not connect the account</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem">
<h1>Ferry could not connect the account</h1>
<p role="alert">${escapeHtml(message)}</p>
<p><a href="/connections">Back to connections</a></p>
</body></html>`;
}

export function registerConnectionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.addHook('onClose', async () => closeConnectionServices(ctx));

  route(app, 'listConnectionProviders', async ({ params, actor }) => {
    await requireRole(ctx, actor, params.workspaceId);
    const items = providerIds.map((id) => {
      const provider = resolveProvider(id, ctx.config.providers);
      return { id, name: provider.name, configured: provider.credentials !== null, scopes: [...provider.scopes] };
    });
    return { items };
  });

  route(app, 'listConnections', async ({ params, actor }) => {
    await requireRole(ctx, actor, params.workspaceId);
    return { items: (await listConnectionRows(ctx, params.workspaceId)).map(connectionFromRow) };
  });

  route(app, 'startConnection', async ({ params, body, actor }) => {
    await requireRole(ctx, actor, params.workspaceId, 'admin');
    return startAuthorization(ctx, actor, { workspaceId: params.workspaceId, provider: params.provider, returnTo: body.returnTo });
  });

  route(app, 'getConnection', async ({ params, actor }) => {
    await requireRole(ctx, actor, params.workspaceId);
    return connectionFromRow(await requireConnectionRow(ctx, params.workspaceId, params.connectionId));
  });

  route(app, 'checkConnection', async ({ params, actor }) => {
    await requireRole(ctx, actor, params.workspaceId);
    return checkConnection(ctx, await requireConnectionRow(ctx, params.workspaceId, params.connectionId));
  });

  route(app, 'deleteConnection', async ({ params, actor, request }) => {
    await requireRole(ctx, actor, params.workspaceId, 'admin');
    return disconnect(ctx, actor, await requireConnectionRow(ctx, params.workspaceId, params.connectionId), request.ip);
  });

  app.get<{ Params: { provider: string } }>('/oauth/callback/:provider', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const provider = providerIdSchema.safeParse(request.params.provider);
    try {
      if (!provider.success) throw new FerryError('bad_request', `Ferry does not connect to "${request.params.provider}".`);
      const callbackUrl = new URL(request.url, ctx.config.publicUrl ?? `${request.protocol}://${request.host}`);
      const done = await completeAuthorization(ctx, request, provider.data, callbackUrl);
      const target = new URL(done.returnTo, 'http://ferry.invalid');
      target.searchParams.set('connected', done.connectionId);
      return reply.code(302).header('location', `${target.pathname}${target.search}`).send();
    } catch (error) {
      const known = error instanceof FerryError ? error : null;
      if (known === null) request.log.error({ err: error }, 'connection callback failed');
      const message = known?.message ?? 'Something went wrong on the Ferry server; try again.';
      return reply
        .code(known?.status ?? 500)
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
        .type('text/html; charset=utf-8')
        .send(errorPage(message));
    }
  });
}
