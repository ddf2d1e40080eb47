/**
 * @module marketplace/removal
 * What removing an integration revokes in its workspace, before the install
 * row goes:
 * - `webhooks`: the workspace's webhook endpoints; `zapier`: its REST hooks
 *   (through the webhooks module, so pending deliveries end and each deletion
 *   is audited);
 * - the connections of the manifest's `provider`, when the connections table
 *   exists: marked revoked and their sealed tokens forgotten;
 * - pending jobs that name the integration and the workspace in their payload
 *   (`{"integration": "<id>", "workspaceId": "<ws>", ...}` — the convention
 *   for jobs that belong to an integration): marked failed, so no worker runs them.
 * Integration code with more to clean up (e.g. revoking a grant at the
 * provider, stopping sync pairs) registers a hook with `onIntegrationRemoved`.
 */
import { sql } from 'kysely';
import type { Actor } from '../auth/actor.js';
import type { ServerContext } from '../context.js';
import { deleteEndpoint } from '../webhooks/endpoint-store.js';

export interface RevokedResources {
  webhookEndpoints: number;
  connections: number;
  jobs: number;
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

const endpointKinds: Record<string, 'endpoint' | 'rest_hook'> = { webhooks: 'endpoint', zapier: 'rest_hook' };

async function deleteWebhookEndpoints(ctx: ServerContext, target: RemovalTarget): Promise<number> {
  const kind = endpointKinds[target.integrationId];
  if (kind === undefined) return 0;
  const rows = await ctx.db.selectFrom('webhook_endpoints').selectAll().where('workspace_id', '=', target.workspaceId).where('kind', '=', kind).execute();
  for (const row of rows) await deleteEndpoint(ctx, row, target.actor, target.ip);
  return rows.length;
}

async function tableExists(ctx: ServerContext, name: string): Promise<boolean> {
  const tables = await ctx.db.introspection.getTables();
  return tables.some((table) => table.name === name);
}

/** Raw SQL: the connections table belongs to the connections module (migration 0005) and may be absent. */
async function revokeConnections(ctx: ServerContext, target: RemovalTarget): Promise<number> {
  if (target.provider === null || !(await tableExists(ctx, 'connections'))) return 0;
  const now = ctx.clock.now().toISOString();
  const result = await sql`
    update connections
       set status = 'revoked', revoked_at = ${now}, updated_at = ${now},
           access_token_ciphertext = null, refresh_token_ciphertext = null
     where workspace_id = ${target.workspaceId} and provider = ${target.provider} and status <> 'revoked'`.execute(ctx.db);
  return Number(result.numAffectedRows ?? 0n);
}

async function stopJobs(ctx: ServerContext, target: RemovalTarget): Promise<number> {
  const result = await ctx.db
    .updateTable('jobs')
    .set({ status: 'failed', last_error: `${target.integrationId} was removed from the workspace`, done_at: ctx.clock.now().toISOString(), lease_owner: null, lease_expires_at: null })
    .where('status', '=', 'pending')
    .where('payload', 'like', `%"integration":${JSON.stringify(target.integrationId)}%`)
    .where('payload', 'like', `%"workspaceId":${JSON.stringify(target.workspaceId)}%`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function revokeIntegrationResources(ctx: ServerContext, target: RemovalTarget): Promise<RevokedResources> {
  const revoked: RevokedResources = {
    webhookEndpoints: await deleteWebhookEndpoints(ctx, target),
    connections: await revokeConnections(ctx, target),
    jobs: await stopJobs(ctx, target),
  };
  for (const hook of hooks.get(target.integrationId) ?? []) {
    const more = await hook(ctx, target);
    revoked.webhookEndpoints += more.webhookEndpoints ?? 0;
    revoked.connections += more.connections ?? 0;
    revoked.jobs += more.jobs ?? 0;
  }
  return revoked;
}
