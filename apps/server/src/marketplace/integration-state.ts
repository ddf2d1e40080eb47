/**
 * @module marketplace/integration-state
 * What disabling an installed integration stops, and what enabling resumes,
 * in its workspace. Disabled means paused, never lost:
 * - webhook endpoints of the integration (`webhooks`: endpoints, `zapier`:
 *   REST hooks) are switched off with the `pausedByIntegration` reason; their
 *   fan-out cursor stays where it was, so on enable every event of the pause
 *   is delivered, and deliveries that came due during the pause (cancelled by
 *   the delivery worker because the endpoint was off, since the disable's
 *   audit row) are queued again;
 * - sync pairs on connections of the manifest's provider stop: their live
 *   schedule is dropped (status `paused`, `paused` flag left to the admin)
 *   and a run that still comes up refuses to start (see `pairStoppedByIntegration`);
 *   on enable each gets a run at once;
 * - pending jobs of the integration (payload `{"integration", "workspaceId"}`)
 *   are held (due at the far future) and released on enable;
 * - API calls with the OAuth tokens of the integration's clients are refused
 *   (see integration-access.ts).
 * An integration that is not installed is stopped the same way where it has
 * anything left (the rule is in integration-gate.ts): the sync-pair runner
 * and the webhook fan-out check the install themselves, and installing it
 * resumes what waited (`resumeIntegration`).
 */
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/audit-log.js';
import type { Clock, ServerContext } from '../context.js';
import type { Database, SyncPairRow } from '../db/schema.js';
import { enqueueJobs } from '../jobs/job-queue.js';
import { schedulePairRun, syncPairWakeKey } from '../sync-pairs/pair-store.js';
import { deliverJobKind } from '../webhooks/fan-out.js';
import { webhookWakeKey } from '../webhooks/webhook-services.js';
import { integrationName, integrationOfProvider, integrationRefusal, integrationUse, requireIntegrationUsable, type IntegrationUse } from './integration-gate.js';

export { integrationOfProvider } from './integration-gate.js';

/** Held jobs are due at this moment, i.e. never, until released. */
export const heldRunAt = '9999-12-31T23:59:59.999Z';

/** The kind of webhook endpoint each integration manages. */
export const endpointKindOf: Record<string, 'endpoint' | 'rest_hook'> = { webhooks: 'endpoint', zapier: 'rest_hook' };

export function pausedByIntegration(name: string): string {
  return `Paused: the ${name} integration is disabled in the marketplace; enabling it resumes delivery.`;
}

export interface IntegrationTarget {
  workspaceId: string;
  integrationId: string;
  name: string;
  provider: string | null;
}

function jobsOf(db: Kysely<Database>, target: IntegrationTarget) {
  return db
    .updateTable('jobs')
    .where('status', '=', 'pending')
    .where('payload', 'like', `%"integration":${JSON.stringify(target.integrationId)}%`)
    .where('payload', 'like', `%"workspaceId":${JSON.stringify(target.workspaceId)}%`);
}

async function pairsOfProvider(db: Kysely<Database>, workspaceId: string, provider: string): Promise<SyncPairRow[]> {
  return db
    .selectFrom('sync_pairs')
    .selectAll('sync_pairs')
    .innerJoin('connections', 'connections.id', 'sync_pairs.connection_id')
    .where('sync_pairs.workspace_id', '=', workspaceId)
    .where('connections.provider', '=', provider)
    .execute();
}

function stoppedError(clock: Clock, name: string, use: Exclude<IntegrationUse, 'enabled'> = 'disabled'): string {
  return JSON.stringify(
    use === 'disabled'
      ? { at: clock.now().toISOString(), code: 'integration_disabled', message: `${name} is disabled in the marketplace; enabling it resumes this pair.` }
      : { at: clock.now().toISOString(), code: 'integration_not_enabled', message: `${name} is not installed in this workspace; installing it from the marketplace resumes this pair.` },
  );
}

/** Stops what belongs to the integration (after the install row says disabled). */
export async function pauseIntegration(ctx: ServerContext, target: IntegrationTarget): Promise<void> {
  const now = ctx.clock.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    const kind = endpointKindOf[target.integrationId];
    if (kind !== undefined) {
      await trx
        .updateTable('webhook_endpoints')
        .set({ enabled: 0, disabled_reason: pausedByIntegration(target.name), updated_at: now })
        .where('workspace_id', '=', target.workspaceId)
        .where('kind', '=', kind)
        .where('enabled', '=', 1)
        .execute();
    }
    if (target.provider !== null) {
      for (const pair of await pairsOfProvider(trx, target.workspaceId, target.provider)) {
        if (pair.paused === 1) continue;
        await trx
          .updateTable('sync_pairs')
          .set({ status: 'paused', schedule_token: '', next_run_at: null, last_error: stoppedError(ctx.clock, target.name), updated_at: now })
          .where('id', '=', pair.id)
          .execute();
      }
    }
    await jobsOf(trx, target).set({ run_at: heldRunAt }).execute();
  });
  ctx.hub.notify(webhookWakeKey);
}

/** Resumes what `pauseIntegration` stopped (after the install row says enabled). */
export async function resumeIntegration(ctx: ServerContext, target: IntegrationTarget): Promise<void> {
  const now = ctx.clock.now();
  const at = now.toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    const kind = endpointKindOf[target.integrationId];
    if (kind !== undefined) {
      // When the pause began: the audit row of the disable (an endpoint edited during the pause has a later updated_at).
      const disabled = await trx
        .selectFrom('audit')
        .select('at')
        .where('workspace_id', '=', target.workspaceId)
        .where('action', '=', 'integration.disabled')
        .where('target', '=', target.integrationId)
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      const paused = await trx
        .selectFrom('webhook_endpoints')
        .select(['id', 'updated_at'])
        .where('workspace_id', '=', target.workspaceId)
        .where('kind', '=', kind)
        .where('enabled', '=', 0)
        .where('disabled_reason', '=', pausedByIntegration(target.name))
        .execute();
      for (const endpoint of paused) {
        // The cursor is left alone: fan-out delivers the events of the pause.
        await trx.updateTable('webhook_endpoints').set({ enabled: 1, disabled_reason: null, updated_at: at }).where('id', '=', endpoint.id).execute();
        const requeued = await trx
          .updateTable('webhook_deliveries')
          .set({ status: 'pending', next_attempt_at: at, updated_at: at })
          .where('endpoint_id', '=', endpoint.id)
          .where('status', '=', 'cancelled')
          .where('test', '=', 0)
          .where('updated_at', '>=', disabled?.at ?? endpoint.updated_at)
          .returning('id')
          .execute();
        await enqueueJobs(
          trx,
          requeued.map((delivery) => ({ kind: deliverJobKind, payload: { deliveryId: delivery.id } })),
          now,
        );
      }
    }
    if (target.provider !== null) {
      for (const pair of await pairsOfProvider(trx, target.workspaceId, target.provider)) {
        // Every pair the admin has not paused runs now (a run that was in flight at the pause may have left it without a schedule).
        if (pair.paused === 1) continue;
        await schedulePairRun(trx, pair.id, now, now, { status: 'idle' });
      }
    }
    await jobsOf(trx, target).where('run_at', '=', heldRunAt).set({ run_at: at }).execute();
  });
  ctx.hub.notify(webhookWakeKey);
  ctx.hub.notify(syncPairWakeKey);
}

async function integrationOfPair(ctx: ServerContext, pair: SyncPairRow): Promise<string | null> {
  const connection = await ctx.db.selectFrom('connections').select('provider').where('id', '=', pair.connection_id).executeTakeFirst();
  return connection === undefined ? null : integrationOfProvider(ctx, connection.provider);
}

/** For run-now and resume: 403 unless the pair's integration is installed and enabled. */
export async function requirePairIntegrationEnabled(ctx: ServerContext, pair: SyncPairRow): Promise<void> {
  const integrationId = await integrationOfPair(ctx, pair);
  if (integrationId !== null) await requireIntegrationUsable(ctx, pair.workspace_id, integrationId);
}

/**
 * For the sync-pair runner: when the pair's provider belongs to an integration
 * that is disabled or not installed in the pair's workspace, the pair is
 * marked stopped and the run must not start (answers true).
 */
export async function pairStoppedByIntegration(ctx: ServerContext, pair: SyncPairRow): Promise<boolean> {
  const integrationId = await integrationOfPair(ctx, pair);
  if (integrationId === null) return false;
  const use = await integrationUse(ctx, pair.workspace_id, integrationId);
  if (use === 'enabled') return false;
  const at = ctx.clock.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('sync_pairs')
      .set({ status: 'paused', schedule_token: '', next_run_at: null, last_error: stoppedError(ctx.clock, integrationName(ctx, integrationId), use), updated_at: at })
      .where('id', '=', pair.id)
      .execute();
    // The server stopped the pair by itself: the audit says why (once — the pair has no schedule until it is resumed).
    await appendAudit(trx, { at, workspaceId: pair.workspace_id, actorId: null, action: 'sync_pair.stopped', target: pair.id, details: { integrationId, reason: use === 'disabled' ? 'integration_disabled' : 'integration_not_enabled' } });
  });
  return true;
}

/** Refuses an action of an integration that is not installed and enabled (403, see integration-gate.ts). */
export async function requireIntegrationEnabled(ctx: ServerContext, workspaceId: string, integrationId: string): Promise<void> {
  const refusal = integrationRefusal(ctx, integrationId, await integrationUse(ctx, workspaceId, integrationId));
  if (refusal !== null) throw refusal;
}
