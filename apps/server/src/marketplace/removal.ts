/**
 * @module marketplace/removal
 * What removing an integration revokes in its workspace, before the install
 * row goes:
 * - `webhooks`: the workspace's webhook endpoints; `zapier`: its REST hooks
 *   (through the webhooks module, so pending deliveries end and each deletion
 *   is audited);
 * - the connections of the manifest's `provider`: the sync pairs on them are
 *   deleted (their run jobs and state files with them), then each connection
 *   is disconnected the same way as from the Connections page — the grant is
 *   revoked at the provider, the tokens forgotten, an event and an audit row;
 * - Ferry-issued OAuth tokens of the integration's clients in this workspace
 *   are revoked and their consents withdrawn (the next install asks again);
 * - pending jobs that name the integration and the workspace in their payload
 *   (`{"integration": "<id>", "workspaceId": "<ws>", ...}` — the convention
 *   for jobs that belong to an integration): deleted, so no worker runs them.
 * Integration code with more to clean up registers a hook with `onIntegrationRemoved`.
 */
import { rmSync } from 'node:fs';
import type { Actor } from '../auth/actor.js';
import { disconnect } from '../connections/connection-actions.js';
import type { ServerContext } from '../context.js';
import { stateFileOf } from '../sync-pairs/pair-runner.js';
import { syncPairJobKind } from '../sync-pairs/pair-store.js';
import { deleteEndpoint } from '../webhooks/endpoint-store.js';
import { endpointKindOf } from './integration-state.js';

export interface RevokedResources {
  webhookEndpoints: number;
  connections: number;
  jobs: number;
  syncPairs: number;
  oauthTokens: number;
}

export interface RemovalTarget {
  workspaceId: string;
  integrationId: string;
  /** The connection provider of the manifest, if any. */
  provider: string | null;
  actor: Actor;
  ip: string | null;
}

export type RemovalHook = (ctx: ServerContext, target: RemovalTarget) => Promise<Partial<RevokedResources>>;

const hooks = new Map<string, RemovalHook[]>();

/** Lets integration code revoke its own resources when its integration is removed from a workspace. */
export function onIntegrationRemoved(integrationId: string, hook: RemovalHook): void {
  hooks.set(integrationId, [...(hooks.get(integrationId) ?? []), hook]);
}

async function deleteWebhookEndpoints(ctx: ServerContext, target: RemovalTarget): Promise<number> {
  const kind = endpointKindOf[target.integrationId];
  if (kind === undefined) return 0;
  const rows = await ctx.db.selectFrom('webhook_endpoints').selectAll().where('workspace_id', '=', target.workspaceId).where('kind', '=', kind).execute();
  for (const row of rows) await deleteEndpoint(ctx, row, target.actor, target.ip);
  return rows.length;
}

/** Deletes the sync pairs on the connections, with their pending run jobs and state files. */
async function deleteSyncPairs(ctx: ServerContext, target: RemovalTarget, connectionIds: readonly string[]): Promise<{ pairs: number; jobs: number }> {
  if (connectionIds.length === 0) return { pairs: 0, jobs: 0 };
  const pairs = await ctx.db.selectFrom('sync_pairs').select('id').where('workspace_id', '=', target.workspaceId).where('connection_id', 'in', connectionIds).execute();
  let jobs = 0;
  for (const pair of pairs) {
    const deleted = await ctx.db.deleteFrom('jobs').where('kind', '=', syncPairJobKind).where('status', '=', 'pending').where('payload', 'like', `%"pairId":${JSON.stringify(pair.id)}%`).executeTakeFirst();
    jobs += Number(deleted.numDeletedRows);
    await ctx.db.deleteFrom('sync_pairs').where('id', '=', pair.id).execute();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${stateFileOf(ctx, pair.id)}${suffix}`, { force: true });
  }
  return { pairs: pairs.length, jobs };
}

/** Disconnects each live connection of the provider (revoked at the provider, event, audit). */
async function disconnectProvider(ctx: ServerContext, target: RemovalTarget): Promise<{ connections: number; pairs: number; jobs: number }> {
  if (target.provider === null) return { connections: 0, pairs: 0, jobs: 0 };
  const rows = await ctx.db.selectFrom('connections').selectAll().where('workspace_id', '=', target.workspaceId).where('provider', '=', target.provider).execute();
  const stopped = await deleteSyncPairs(ctx, target, rows.map((row) => row.id));
  const live = rows.filter((row) => row.status !== 'revoked');
  for (const row of live) await disconnect(ctx, target.actor, row, target.ip ?? '');
  return { connections: live.length, ...stopped };
}

/** Revokes the Ferry-issued tokens of the integration's OAuth clients in the workspace and withdraws their consents. */
async function revokeIssuedTokens(ctx: ServerContext, target: RemovalTarget): Promise<number> {
  const clients = await ctx.db.selectFrom('oauth_clients').select('id').where('integration_id', '=', target.integrationId).execute();
  if (clients.length === 0) return 0;
  const clientIds = clients.map((client) => client.id);
  const now = ctx.clock.now().toISOString();
  return ctx.db.transaction().execute(async (trx) => {
    const revoked = await trx
      .updateTable('oauth_tokens')
      .set({ revoked_at: now })
      .where('client_id', 'in', clientIds)
      .where('workspace_id', '=', target.workspaceId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    await trx.deleteFrom('oauth_codes').where('client_id', 'in', clientIds).where('workspace_id', '=', target.workspaceId).execute();
    await trx.deleteFrom('oauth_grants').where('client_id', 'in', clientIds).where('workspace_id', '=', target.workspaceId).execute();
    return Number(revoked.numUpdatedRows);
  });
}

async function deleteJobs(ctx: ServerContext, target: RemovalTarget): Promise<number> {
  const result = await ctx.db
    .deleteFrom('jobs')
    .where('status', '=', 'pending')
    .where('payload', 'like', `%"integration":${JSON.stringify(target.integrationId)}%`)
    .where('payload', 'like', `%"workspaceId":${JSON.stringify(target.workspaceId)}%`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function revokeIntegrationResources(ctx: ServerContext, target: RemovalTarget): Promise<RevokedResources> {
  const webhookEndpoints = await deleteWebhookEndpoints(ctx, target);
  const provider = await disconnectProvider(ctx, target);
  const revoked: RevokedResources = {
    webhookEndpoints,
    connections: provider.connections,
    jobs: provider.jobs + (await deleteJobs(ctx, target)),
    syncPairs: provider.pairs,
    oauthTokens: await revokeIssuedTokens(ctx, target),
  };
  for (const hook of hooks.get(target.integrationId) ?? []) {
    const more = await hook(ctx, target);
    revoked.webhookEndpoints += more.webhookEndpoints ?? 0;
    revoked.connections += more.connections ?? 0;
    revoked.jobs += more.jobs ?? 0;
    revoked.syncPairs += more.syncPairs ?? 0;
    revoked.oauthTokens += more.oauthTokens ?? 0;
  }
  return revoked;
}
