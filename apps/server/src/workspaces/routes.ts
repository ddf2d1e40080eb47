/**
 * @module workspaces/routes
 * Workspaces the caller belongs to, creating one, and managing its members.
 */
import { FerryError } from '@ferry/core';
import type { FastifyInstance } from 'fastify';
import { appendAudit } from '../audit/audit-log.js';
import type { ServerContext } from '../context.js';
import { route } from '../http/route.js';
import { requireRole } from './access.js';
import { addMember, listMembers, removeMember, updateMemberRole } from './members.js';
import { createWorkspace, workspacesVisibleTo } from './service.js';

export function registerWorkspaceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, 'listWorkspaces', async ({ actor }) => ({ items: await workspacesVisibleTo(ctx.db, actor) }));

  route(app, 'createWorkspace', async ({ actor, body, request }) => {
    const name = body.name.trim();
    if (name === '') throw new FerryError('validation_failed', 'A workspace needs a name.');
    const at = ctx.clock.now().toISOString();
    return ctx.db.transaction().execute(async (trx) => {
      const workspace = await createWorkspace(trx, { name, ownerId: actor.userId, at });
      await appendAudit(trx, { at, workspaceId: workspace.id, actorId: actor.userId, action: 'workspace.created', target: workspace.id, ip: request.ip, details: { name: workspace.name } });
      return workspace;
    });
  });

  route(app, 'getWorkspace', async ({ actor, params }) => {
    await requireRole(ctx, actor, params.workspaceId);
    const workspace = (await workspacesVisibleTo(ctx.db, actor)).find((candidate) => candidate.id === params.workspaceId);
    if (!workspace) throw new FerryError('workspace_not_found', 'No such workspace.');
    return workspace;
  });

  route(app, 'listMembers', async ({ actor, params }) => {
    await requireRole(ctx, actor, params.workspaceId);
    return { items: await listMembers(ctx.db, params.workspaceId) };
  });

  route(app, 'addMember', async ({ actor, params, body, request }) =>
    addMember(ctx, { workspaceId: params.workspaceId, actor, ip: request.ip, email: body.email, role: body.role }),
  );

  route(app, 'updateMember', async ({ actor, params, body, request }) =>
    updateMemberRole(ctx, { workspaceId: params.workspaceId, actor, ip: request.ip, userId: params.userId, role: body.role }),
  );

  route(app, 'removeMember', async ({ actor, params, request }) => {
    await removeMember(ctx, { workspaceId: params.workspaceId, actor, ip: request.ip, userId: params.userId });
    return { ok: true as const };
  });
}
