/**
 * @module webhooks/delivery-log
 * Reading deliveries with their attempts (newest first, paged), replaying one,
 * and the test message — everything an admin does with the delivery log.
 */
import { FerryError, type WebhookDelivery } from '@ferry/core';
import type { ServerContext } from '../context.js';
import type { WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow } from '../db/schema.js';
import { newId } from '../ids.js';
import { enqueueJobs } from '../jobs/job-queue.js';
import { sendAttempt } from './delivery-attempt.js';
import { deliverJobKind, type DeliverJobPayload } from './fan-out.js';
import { webhookWakeKey } from './webhook-services.js';

function deliveryFromRows(row: WebhookDeliveryRow, attempts: readonly WebhookAttemptRow[]): WebhookDelivery {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventSeq: row.event_seq,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    test: row.test === 1,
    attemptLog: attempts.map((attempt) => ({
      id: attempt.id,
      attempt: attempt.attempt,
      startedAt: attempt.started_at,
      durationMs: attempt.duration_ms,
      requestHeaders: JSON.parse(attempt.request_headers) as Record<string, string>,
      responseStatus: attempt.response_status,
      responseHeaders: attempt.response_headers === null ? null : (JSON.parse(attempt.response_headers) as Record<string, string>),
      responseBody: attempt.response_body,
      error: attempt.error,
    })),
  };
}

async function withAttempts(ctx: ServerContext, rows: readonly WebhookDeliveryRow[]): Promise<WebhookDelivery[]> {
  if (rows.length === 0) return [];
  const attempts = await ctx.db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('delivery_id', 'in', rows.map((row) => row.id))
    .orderBy('started_at')
    .orderBy('attempt')
    .execute();
  const byDelivery = new Map<string, WebhookAttemptRow[]>();
  for (const attempt of attempts) {
    const list = byDelivery.get(attempt.delivery_id);
    if (list) list.push(attempt);
    else byDelivery.set(attempt.delivery_id, [attempt]);
  }
  return rows.map((row) => deliveryFromRows(row, byDelivery.get(row.id) ?? []));
}

export async function listDeliveries(ctx: ServerContext, endpointId: string, cursor: string | undefined, limit = 50): Promise<{ items: WebhookDelivery[]; nextCursor: string | null }> {
  let query = ctx.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId);
  if (cursor !== undefined) {
    const [createdAt, id] = cursor.split('~');
    if (createdAt === undefined || id === undefined) throw new FerryError('bad_request', 'Unreadable cursor.');
    query = query.where((eb) => eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]));
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: await withAttempts(ctx, page), nextCursor: rows.length > limit && last ? `${last.created_at}~${last.id}` : null };
}

export async function getDelivery(ctx: ServerContext, deliveryId: string): Promise<WebhookDeliveryRow> {
  const row = await ctx.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirst();
  if (row === undefined) throw new FerryError('delivery_not_found', 'No such webhook delivery.');
  return row;
}

export async function describeDelivery(ctx: ServerContext, row: WebhookDeliveryRow): Promise<WebhookDelivery> {
  const [delivery] = await withAttempts(ctx, [row]);
  if (delivery === undefined) throw new FerryError('delivery_not_found', 'No such webhook delivery.');
  return delivery;
}

/** How long finished deliveries (and their attempts) stay in the log. */
export const deliveryLogRetentionMs = 30 * 24 * 3600_000;

/** Deletes finished deliveries older than the retention, at most `limit` per call (attempts go with them). */
export async function pruneDeliveryLog(ctx: Pick<ServerContext, 'db' | 'clock'>, limit = 5000): Promise<number> {
  const before = new Date(ctx.clock.now().getTime() - deliveryLogRetentionMs).toISOString();
  const result = await ctx.db
    .deleteFrom('webhook_deliveries')
    .where('id', 'in', (eb) =>
      eb.selectFrom('webhook_deliveries').select('id').where('status', '!=', 'pending').where('updated_at', '<', before).limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Queues one more attempt of a delivery (same webhook-id and body); it runs in the background. */
export async function replayDelivery(ctx: ServerContext, row: WebhookDeliveryRow): Promise<WebhookDeliveryRow> {
  const now = ctx.clock.now();
  const updated = await ctx.db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', next_attempt_at: now.toISOString(), updated_at: now.toISOString() })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await enqueueJobs(trx, [{ kind: deliverJobKind, payload: { deliveryId: row.id, replay: true } satisfies DeliverJobPayload }], now);
    return result;
  });
  ctx.hub.notify(webhookWakeKey);
  return updated;
}

/** Sends a `webhook.test` message now and logs it as a (test) delivery. */
export async function sendTestMessage(ctx: ServerContext, endpoint: WebhookEndpointRow): Promise<{ deliveryId: string; ok: boolean; responseStatus: number | null; durationMs: number; error: string | null }> {
  const now = ctx.clock.now().toISOString();
  const delivery: WebhookDeliveryRow = {
    id: newId('msg'),
    endpoint_id: endpoint.id,
    workspace_id: endpoint.workspace_id,
    event_id: null,
    event_seq: null,
    event_type: 'webhook.test',
    body: JSON.stringify({ type: 'webhook.test', timestamp: now, data: { endpointId: endpoint.id, workspaceId: endpoint.workspace_id, message: 'A test message from Ferry.' } }),
    status: 'pending',
    attempts: 0,
    next_attempt_at: null,
    test: 1,
    created_at: now,
    updated_at: now,
  };
  await ctx.db.insertInto('webhook_deliveries').values(delivery).execute();
  const { attempt, outcome } = await sendAttempt(ctx, delivery, endpoint);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.insertInto('webhook_attempts').values(attempt).execute();
    await trx
      .updateTable('webhook_deliveries')
      .set({ status: outcome.succeeded ? 'succeeded' : 'failed', attempts: 1, updated_at: ctx.clock.now().toISOString() })
      .where('id', '=', delivery.id)
      .execute();
  });
  return { deliveryId: delivery.id, ok: outcome.succeeded, responseStatus: outcome.status, durationMs: attempt.duration_ms, error: outcome.error };
}
