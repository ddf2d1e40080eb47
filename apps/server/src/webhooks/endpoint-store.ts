/**
 * @module webhooks/endpoint-store
 * Webhook endpoints: create, change, delete, rotate the secret. Secrets are
 * sealed with the secret box before they are stored, and appear in plain only
 * in the return value of create and rotate. Every change writes an audit row
 * in the same transaction. A new (or re-enabled) endpoint receives the events
 * after the moment it was created (its fan-out cursor starts at the feed's end).
 */
import { FerryError, type EventType, type WebhookEndpoint } from '@ferry/core';
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/audit-log.js';
import type { Actor } from '../auth/actor.js';
import type { ServerContext } from '../context.js';
import type { Database, WebhookEndpointRow } from '../db/schema.js';
import { newId } from '../ids.js';
import { requireRole } from '../workspaces/access.js';
import { newSigningSecret } from './signing.js';
import { webhookServices, webhookWakeKey } from './webhook-services.js';

/** How long the previous secret keeps signing after a rotation. */
export const secretOverlapMs = 24 * 3600_000;

export function endpointFromRow(row: WebhookEndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    url: row.url,
    description: row.description,
    eventTypes: JSON.parse(row.event_types) as EventType[],
    enabled: row.enabled === 1,
    disabledReason: row.disabled_reason,
    kind: row.kind,
    failingSince: row.failing_since,
    secretRotatedAt: row.secret_rotated_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The endpoint, if the caller is an admin or owner of its workspace; otherwise webhook_not_found / forbidden. */
export async function endpointForAdmin(ctx: ServerContext, actor: Actor, endpointId: string): Promise<WebhookEndpointRow> {
  const row = await ctx.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', endpointId).executeTakeFirst();
  if (row === undefined) throw new FerryError('webhook_not_found', 'No such webhook endpoint.');
  try {
    await requireRole(ctx, actor, row.workspace_id, 'admin');
  } catch (error) {
    // Not a member: the same answer as for an id that does not exist.
    if (error instanceof FerryError && error.code === 'workspace_not_found') throw new FerryError('webhook_not_found', 'No such webhook endpoint.');
    throw error;
  }
  return row;
}

async function currentSeq(db: Kysely<Database>, workspaceId: string): Promise<number> {
  const row = await db.selectFrom('workspaces').select('event_seq').where('id', '=', workspaceId).executeTakeFirstOrThrow();
  return row.event_seq;
}

export interface EndpointInput {
  workspaceId: string;
  actor: Actor;
  ip: string | null;
  url: string;
  description: string;
  eventTypes: readonly EventType[];
  enabled: boolean;
  kind: WebhookEndpointRow['kind'];
}

export async function createEndpoint(ctx: ServerContext, input: EndpointInput): Promise<{ row: WebhookEndpointRow; secret: string }> {
  const { guard, box } = webhookServices(ctx);
  const url = guard.checkUrl(input.url).href;
  const secret = newSigningSecret();
  const now = ctx.clock.now().toISOString();
  const row = await ctx.db.transaction().execute(async (trx) => {
    const created: WebhookEndpointRow = {
      id: newId('whe'),
      workspace_id: input.workspaceId,
      kind: input.kind,
      url,
      description: input.description,
      event_types: JSON.stringify([...new Set(input.eventTypes)]),
      enabled: input.enabled ? 1 : 0,
      disabled_reason: null,
      secret_ciphertext: box.seal(secret),
      previous_secret_ciphertext: null,
      previous_secret_expires_at: null,
      secret_rotated_at: null,
      cursor_seq: await currentSeq(trx, input.workspaceId),
      failing_since: null,
      created_by: input.actor.userId,
      created_at: now,
      updated_at: now,
    };
    await trx.insertInto('webhook_endpoints').values(created).execute();
    await appendAudit(trx, {
      at: now,
      workspaceId: input.workspaceId,
      actorId: input.actor.userId,
      action: input.kind === 'rest_hook' ? 'webhook.hook_subscribed' : 'webhook.created',
      target: created.id,
      ip: input.ip,
      details: { url, eventTypes: input.eventTypes, enabled: input.enabled },
    });
    return created;
  });
  ctx.hub.notify(webhookWakeKey);
  return { row, secret };
}

export interface EndpointChange {
  url?: string | undefined;
  description?: string | undefined;
  eventTypes?: readonly EventType[] | undefined;
  enabled?: boolean | undefined;
}

export async function updateEndpoint(ctx: ServerContext, row: WebhookEndpointRow, change: EndpointChange, actor: Actor, ip: string | null): Promise<WebhookEndpointRow> {
  const url = change.url === undefined ? undefined : webhookServices(ctx).guard.checkUrl(change.url).href;
  const now = ctx.clock.now().toISOString();
  const updated = await ctx.db.transaction().execute(async (trx) => {
    const reEnabled = change.enabled === true && row.enabled === 0;
    const next: Partial<WebhookEndpointRow> = {
      updated_at: now,
      ...(url !== undefined ? { url } : {}),
      ...(change.description !== undefined ? { description: change.description } : {}),
      ...(change.eventTypes !== undefined ? { event_types: JSON.stringify([...new Set(change.eventTypes)]) } : {}),
      ...(change.enabled !== undefined ? { enabled: change.enabled ? 1 : 0 } : {}),
      // Back on: no flood of what happened while it was off, and a fresh health record.
      ...(reEnabled ? { cursor_seq: await currentSeq(trx, row.workspace_id), disabled_reason: null, failing_since: null } : {}),
    };
    const result = await trx.updateTable('webhook_endpoints').set(next).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow();
    if (change.enabled === false) await cancelPendingDeliveries(trx, row.id, now);
    await appendAudit(trx, {
      at: now,
      workspaceId: row.workspace_id,
      actorId: actor.userId,
      action: 'webhook.updated',
      target: row.id,
      ip,
      details: { ...(url !== undefined ? { url } : {}), ...(change.description !== undefined ? { description: change.description } : {}), ...(change.eventTypes !== undefined ? { eventTypes: change.eventTypes } : {}), ...(change.enabled !== undefined ? { enabled: change.enabled } : {}) },
    });
    return result;
  });
  ctx.hub.notify(webhookWakeKey);
  return updated;
}

export async function deleteEndpoint(ctx: ServerContext, row: WebhookEndpointRow, actor: Actor, ip: string | null): Promise<void> {
  const now = ctx.clock.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    // Deliveries and attempts go with it (foreign keys cascade); their jobs find no delivery and end.
    await trx.deleteFrom('webhook_endpoints').where('id', '=', row.id).execute();
    await appendAudit(trx, {
      at: now,
      workspaceId: row.workspace_id,
      actorId: actor.userId,
      action: row.kind === 'rest_hook' ? 'webhook.hook_unsubscribed' : 'webhook.deleted',
      target: row.id,
      ip,
      details: { url: row.url },
    });
  });
  ctx.hub.notify(webhookWakeKey);
}

/** A new secret; the old one keeps signing (as a second signature) for 24 h. */
export async function rotateSecret(ctx: ServerContext, row: WebhookEndpointRow, actor: Actor, ip: string | null): Promise<{ row: WebhookEndpointRow; secret: string }> {
  const { box } = webhookServices(ctx);
  const secret = newSigningSecret();
  const now = ctx.clock.now();
  const updated = await ctx.db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('webhook_endpoints')
      .set({
        secret_ciphertext: box.seal(secret),
        previous_secret_ciphertext: row.secret_ciphertext,
        previous_secret_expires_at: new Date(now.getTime() + secretOverlapMs).toISOString(),
        secret_rotated_at: now.toISOString(),
        updated_at: now.toISOString(),
      })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(trx, {
      at: now.toISOString(),
      workspaceId: row.workspace_id,
      actorId: actor.userId,
      action: 'webhook.secret_rotated',
      target: row.id,
      ip,
      details: { overlapUntil: result.previous_secret_expires_at },
    });
    return result;
  });
  return { row: updated, secret };
}

/** The secrets that sign a delivery made at `now`: the current one, and the previous one during the overlap. */
export function signingSecrets(ctx: ServerContext, row: Pick<WebhookEndpointRow, 'secret_ciphertext' | 'previous_secret_ciphertext' | 'previous_secret_expires_at'>, now: Date): string[] {
  const { box } = webhookServices(ctx);
  const secrets = [openCached(box, row.secret_ciphertext)];
  if (row.previous_secret_ciphertext !== null && row.previous_secret_expires_at !== null && row.previous_secret_expires_at > now.toISOString()) {
    secrets.push(openCached(box, row.previous_secret_ciphertext));
  }
  return secrets;
}

const opened = new Map<string, string>();
function openCached(box: { open(sealed: string): string }, sealed: string): string {
  let plain = opened.get(sealed);
  if (plain === undefined) {
    plain = box.open(sealed);
    if (opened.size >= 1000) opened.clear();
    opened.set(sealed, plain);
  }
  return plain;
}

export async function cancelPendingDeliveries(db: Kysely<Database>, endpointId: string, now: string): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ status: 'cancelled', next_attempt_at: null, updated_at: now })
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'pending')
    .execute();
}
