/**
 * @module webhooks/fan-out
 * Turns the event feed into deliveries. Each endpoint keeps a cursor (the last
 * event seq it has been given); one transaction reads the events after it,
 * inserts one delivery + one delivery job per matching event, and moves the
 * cursor. The event commit and the fan-out are separate steps, yet nothing is
 * lost if the process dies in between: the next fan-out starts at the stored
 * cursor. A unique (endpoint, event) index keeps a delivery from being made twice.
 */
import type { EventType } from '@ferry/core';
import type { Kysely } from 'kysely';
import type { Clock } from '../context.js';
import type { Database, EventRow, WebhookDeliveryRow } from '../db/schema.js';
import { eventFromRow } from '../events/event-log.js';
import { enqueueJobs } from '../jobs/job-queue.js';
import { newOrderedId } from '../jobs/ordered-id.js';
import { insertRows } from '../jobs/prepared-sql.js';

export const deliverJobKind = 'webhook.deliver';

export interface DeliverJobPayload {
  deliveryId: string;
  /** A manual replay: one attempt, no automatic retries. */
  replay?: boolean;
}

/** The Standard Webhooks body of an event: `{type, timestamp, data}` with the Ferry event as data. */
export function deliveryBody(event: EventRow): string {
  return JSON.stringify({ type: event.type, timestamp: event.at, data: eventFromRow(event) });
}

export interface FanOutResult {
  deliveries: number;
  /** More events are waiting after this batch. */
  more: boolean;
}

const deliveryColumns = ['id', 'endpoint_id', 'workspace_id', 'event_id', 'event_seq', 'event_type', 'body', 'status', 'attempts', 'next_attempt_at', 'test', 'created_at', 'updated_at'] as const;

/** Fans out the next `batch` events of one endpoint. */
export async function fanOutEndpoint(db: Kysely<Database>, clock: Clock, endpointId: string, batch = 500): Promise<FanOutResult> {
  return db.transaction().execute(async (trx) => {
    // A write first, so the transaction holds SQLite's write lock before it reads the cursor:
    // two fan-outs of the same endpoint run one after the other, never on the same snapshot.
    const endpoint = await trx
      .updateTable('webhook_endpoints')
      .set((eb) => ({ cursor_seq: eb.ref('cursor_seq') }))
      .where('id', '=', endpointId)
      .where('enabled', '=', 1)
      .returning(['id', 'workspace_id', 'cursor_seq', 'event_types'])
      .executeTakeFirst();
    if (endpoint === undefined) return { deliveries: 0, more: false };
    const events = await trx
      .selectFrom('events')
      .selectAll()
      .where('workspace_id', '=', endpoint.workspace_id)
      .where('seq', '>', endpoint.cursor_seq)
      .orderBy('seq')
      .limit(batch)
      .execute();
    const last = events.at(-1);
    if (last === undefined) return { deliveries: 0, more: false };
    const types = new Set(JSON.parse(endpoint.event_types) as EventType[]);
    const now = clock.now().toISOString();
    const rows: WebhookDeliveryRow[] = events
      .filter((event) => types.size === 0 || types.has(event.type as EventType))
      .map((event) => ({
        id: newOrderedId('msg'),
        endpoint_id: endpoint.id,
        workspace_id: endpoint.workspace_id,
        event_id: event.id,
        event_seq: event.seq,
        event_type: event.type,
        body: deliveryBody(event),
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        test: 0,
        created_at: now,
        updated_at: now,
      }));
    // Prepared multi-row inserts (no query building per row); a delivery that exists already is skipped.
    const inserted = await insertRows<{ id: string }>(
      trx,
      'webhook_deliveries',
      deliveryColumns,
      rows.map((row) => deliveryColumns.map((column) => row[column])),
      'ON CONFLICT ("endpoint_id", "event_id") DO NOTHING RETURNING "id"',
    );
    const created = inserted.rows.map((row) => row.id);
    await enqueueJobs(
      trx,
      created.map((deliveryId) => ({ kind: deliverJobKind, payload: { deliveryId } satisfies DeliverJobPayload })),
      clock.now(),
    );
    await trx.updateTable('webhook_endpoints').set({ cursor_seq: last.seq }).where('id', '=', endpoint.id).execute();
    return { deliveries: created.length, more: events.length === batch };
  });
}

/** Endpoints that are enabled and behind their workspace's feed. */
export async function endpointsBehind(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .selectFrom('webhook_endpoints as e')
    .innerJoin('workspaces as w', 'w.id', 'e.workspace_id')
    .select('e.id')
    .where('e.enabled', '=', 1)
    .whereRef('e.cursor_seq', '<', 'w.event_seq')
    .execute();
  return rows.map((row) => row.id);
}

/** Fans out every endpoint until all have caught up; returns the number of deliveries made. */
export async function fanOutAll(db: Kysely<Database>, clock: Clock, batch = 500): Promise<number> {
  let total = 0;
  for (const endpointId of await endpointsBehind(db)) {
    for (;;) {
      const result = await fanOutEndpoint(db, clock, endpointId, batch);
      total += result.deliveries;
      if (!result.more) break;
    }
  }
  return total;
}
