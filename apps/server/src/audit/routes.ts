/**
 * @module audit/routes
 * Reading a workspace's audit log, newest first, for admins and owners. The
 * log is append-only: nothing in the server updates or deletes its rows.
 */
import { FerryError, type AuditEntry } from '@ferry/core';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { route } from '../http/route.js';
import { requireRole } from '../workspaces/access.js';

const defaultLimit = 100;

function parseDetails(details: string | null): Record<string, unknown> | null {
  if (details === null) return null;
  const value: unknown = JSON.parse(details);
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
}

export function registerAuditRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, 'listAudit', async ({ actor, params, query }) => {
    await requireRole(ctx, actor, params.workspaceId, 'admin');
    const limit = query.limit ?? defaultLimit;
    let before: number | null = null;
    if (query.cursor !== undefined && query.cursor !== '') {
      if (!/^\d{1,15}$/.test(query.cursor)) throw new FerryError('validation_failed', 'The cursor is not valid: pass the nextCursor of a previous answer.');
      before = Number(query.cursor);
    }
    let select = ctx.db.selectFrom('audit').selectAll().where('workspace_id', '=', params.workspaceId);
    if (before !== null) select = select.where('seq', '<', before);
    const rows = await select.orderBy('seq', 'desc').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const items: AuditEntry[] = page.map((row) => ({
      seq: row.seq,
      at: row.at,
      workspaceId: row.workspace_id,
      actorId: row.actor_id,
      action: row.action,
      target: row.target,
      ip: row.ip,
      details: parseDetails(row.details),
    }));
    const last = page.at(-1);
    return { items, nextCursor: rows.length > limit && last ? String(last.seq) : null };
  });
}
