/**
 * @module sync-pairs/routes
 * Sync pairs of a workspace: list and get (members), create, update
 * (pause/resume, interval, policy), delete and run-now (admin or owner).
 * Every change is audited; creating, resuming and run-now queue a run at once.
 * Creating, resuming and run-now need the connection's integration installed
 * and enabled in the workspace (marketplace/integration-gate.ts).
 */
import { rmSync } from 'node:fs';
import { FerryError } from '@ferry/core';
import type { FastifyInstance } from 'fastify';
import { appendAudit } from '../audit/audit-log.js';
import { isoNow, type ServerContext } from '../context.js';
import type { SyncPairRow } from '../db/schema.js';
import { route } from '../http/route.js';
import { newId } from '../ids.js';
import { requireProviderUsable } from '../marketplace/integration-gate.js';
import { requirePairIntegrationEnabled } from '../marketplace/integration-state.js';
import { requireRole } from '../workspaces/access.js';
import { stateFileOf } from './pair-runner.js';
import { findPair, pairView, providerOfPair, schedulePairRun, syncPairWakeKey, type SyncPairView } from './pair-store.js';

const syncableProviders = new Set(['google-drive', 'dropbox']);

async function viewOf(ctx: ServerContext, row: SyncPairRow): Promise<SyncPairView> {
  return pairView(row, await providerOfPair(ctx.db, row));
}

async function reload(ctx: ServerContext, row: SyncPairRow): Promise<SyncPairView> {
  return viewOf(ctx, await findPair(ctx.db, row.workspace_id, row.id));
}

export function registerSyncPairRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, 'listSyncPairs', async ({ params, actor }) => {
    await requireRole(ctx, actor, params.workspaceId, 'member');
    const rows = await ctx.db.selectFrom('sync_pairs').selectAll().where('workspace_id', '=', params.workspaceId).orderBy('created_at').orderBy('id').execute();
    return { items: await Promise.all(rows.map((row) => viewOf(ctx, row))) };
  });

  route(app, 'getSyncPair', async ({ params, actor }) => {
    await requireRole(ctx, actor, params.workspaceId, 'member');
    return viewOf(ctx, await findPair(ctx.db, params.workspaceId, params.pairId));
  });

  route(app, 'createSyncPair', async ({ params, body, actor, request }) => {
    await requireRole(ctx, actor, params.workspaceId, 'admin');
    const folder = await ctx.db.selectFrom('nodes').select(['kind', 'deleted_at']).where('id', '=', body.folderId).where('workspace_id', '=', params.workspaceId).executeTakeFirst();
    if (folder === undefined || folder.kind !== 'folder' || folder.deleted_at !== null) throw new FerryError('folder_not_found', 'No such folder in this workspace.');
    const connection = await ctx.db.selectFrom('connections').select(['provider', 'revoked_at']).where('id', '=', body.connectionId).where('workspace_id', '=', params.workspaceId).executeTakeFirst();
    if (connection === undefined || connection.revoked_at !== null) throw new FerryError('connection_not_found', 'No such connection in this workspace.');
    if (!syncableProviders.has(connection.provider)) throw new FerryError('validation_failed', 'Only Google Drive and Dropbox connections can be synced.');
    // Only while the connection's integration is installed and enabled in the workspace (403 otherwise, naming it).
    await requireProviderUsable(ctx, params.workspaceId, connection.provider);
    const at = isoNow(ctx);
    const now = ctx.clock.now();
    const id = newId('spr');
    await ctx.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('sync_pairs')
        .values({
          id,
          workspace_id: params.workspaceId,
          folder_id: body.folderId,
          connection_id: body.connectionId,
          remote_path: body.remotePath.startsWith('/') ? body.remotePath : `/${body.remotePath}`,
          conflict_policy: body.conflictPolicy,
          interval_seconds: body.intervalSeconds,
          paused: 0,
          status: 'idle',
          schedule_token: '',
          next_run_at: null,
          consecutive_failures: 0,
          circuit: 'closed',
          circuit_open_until: null,
          last_run: null,
          last_error: null,
          recent_errors: '[]',
          last_event_seq: 0,
          created_by: actor.userId,
          created_at: at,
          updated_at: at,
        })
        .execute();
      await schedulePairRun(trx, id, now, now);
      await appendAudit(trx, { at, workspaceId: params.workspaceId, actorId: actor.userId, action: 'sync_pair.created', target: id, ip: request.ip, details: { folderId: body.folderId, connectionId: body.connectionId, remotePath: body.remotePath } });
    });
    ctx.hub.notify(syncPairWakeKey);
    return viewOf(ctx, await findPair(ctx.db, params.workspaceId, id));
  });

  route(app, 'updateSyncPair', async ({ params, body, actor, request }) => {
    await requireRole(ctx, actor, params.workspaceId, 'admin');
    const row = await findPair(ctx.db, params.workspaceId, params.pairId);
    const at = isoNow(ctx);
    const now = ctx.clock.now();
    const resuming = body.paused === false && row.paused === 1;
    if (resuming) await requirePairIntegrationEnabled(ctx, row);
    await ctx.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('sync_pairs')
        .set({
          ...(body.conflictPolicy !== undefined ? { conflict_policy: body.conflictPolicy } : {}),
          ...(body.intervalSeconds !== undefined ? { interval_seconds: body.intervalSeconds } : {}),
          ...(body.paused === true ? { paused: 1, status: 'paused', schedule_token: '', next_run_at: null } : {}),
          updated_at: at,
        })
        .where('id', '=', row.id)
        .execute();
      // Resuming runs at once, with a fresh circuit (an admin resumes after fixing the cause).
      if (resuming) await schedulePairRun(trx, row.id, now, now, { paused: 0, status: 'idle', consecutive_failures: 0, circuit: 'closed', circuit_open_until: null });
      await appendAudit(trx, { at, workspaceId: row.workspace_id, actorId: actor.userId, action: 'sync_pair.updated', target: row.id, ip: request.ip, details: { ...body } });
    });
    if (resuming) ctx.hub.notify(syncPairWakeKey);
    return reload(ctx, row);
  });

  route(app, 'deleteSyncPair', async ({ params, actor, request }) => {
    await requireRole(ctx, actor, params.workspaceId, 'admin');
    const row = await findPair(ctx.db, params.workspaceId, params.pairId);
    const at = isoNow(ctx);
    await ctx.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('sync_pairs').where('id', '=', row.id).execute();
      await appendAudit(trx, { at, workspaceId: row.workspace_id, actorId: actor.userId, action: 'sync_pair.deleted', target: row.id, ip: request.ip, details: { folderId: row.folder_id, connectionId: row.connection_id } });
    });
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${stateFileOf(ctx, row.id)}${suffix}`, { force: true });
    return { ok: true as const };
  });

  route(app, 'runSyncPair', async ({ params, actor, request }) => {
    await requireRole(ctx, actor, params.workspaceId, 'admin');
    const row = await findPair(ctx.db, params.workspaceId, params.pairId);
    if (row.paused === 1) throw new FerryError('conflict', 'The pair is paused: resume it first.');
    await requirePairIntegrationEnabled(ctx, row);
    const at = isoNow(ctx);
    const now = ctx.clock.now();
    await ctx.db.transaction().execute(async (trx) => {
      // Run now also serves as the half-open trial of an open circuit.
      await schedulePairRun(trx, row.id, now, now, row.circuit === 'open' ? { circuit_open_until: at } : {});
      await appendAudit(trx, { at, workspaceId: row.workspace_id, actorId: actor.userId, action: 'sync_pair.run_requested', target: row.id, ip: request.ip });
    });
    ctx.hub.notify(syncPairWakeKey);
    return reload(ctx, row);
  });
}
