/**
 * @module events/event-log
 * The append-only event feed of a workspace. `appendEvent` must run inside
 * the transaction that made the change, so an event exists exactly when its
 * change does, and `seq` is gap-free per workspace (the counter row is bumped
 * in the same transaction). Call `ctx.hub.notify(workspaceId)` after commit.
 */
import type { EventType, FerryEvent, FerryNode } from '@ferry/core';
import type { Kysely } from 'kysely';
import type { Database, EventRow } from '../db/schema.js';
import { newId } from '../ids.js';

export interface NewEvent {
  workspaceId: string;
  type: EventType;
  at: string;
  actorId: string | null;
  source: string;
  node?: FerryNode;
  from?: FerryEvent['from'];
  data?: Record<string, unknown>;
}

export async function appendEvent(trx: Kysely<Database>, event: NewEvent): Promise<FerryEvent> {
  const [appended] = await appendEvents(trx, event.workspaceId, [event]);
  if (!appended) throw new Error('appendEvents returned no event');
  return appended;
}

/**
 * The stored JSON of an event's optional parts, in this order, each an object when present (webhook bodies
 * splice it in as it is: see webhooks/delivery-body).
 */
export function eventPayload(event: Pick<NewEvent, 'node' | 'from' | 'data'>): string {
  return JSON.stringify({ node: event.node, from: event.from, data: event.data });
}

/** Rows per multi-row insert: far below SQLite's bound-variable limit. */
const insertChunkRows = 200;

/** Appends several events of one workspace with consecutive seqs, in order (one counter bump, chunked inserts). */
export async function appendEvents(trx: Kysely<Database>, workspaceId: string, events: readonly NewEvent[]): Promise<FerryEvent[]> {
  if (events.length === 0) return [];
  const { event_seq: last } = await trx
    .updateTable('workspaces')
    .set((eb) => ({ event_seq: eb('event_seq', '+', events.length) }))
    .where('id', '=', workspaceId)
    .returning('event_seq')
    .executeTakeFirstOrThrow();
  const first = last - events.length + 1;
  const rows = events.map(
    (event, index): EventRow => ({
      workspace_id: workspaceId,
      seq: first + index,
      id: newId('evt'),
      type: event.type,
      at: event.at,
      actor_id: event.actorId,
      source: event.source,
      payload: eventPayload(event),
    }),
  );
  for (let start = 0; start < rows.length; start += insertChunkRows) {
    await trx.insertInto('events').values(rows.slice(start, start + insertChunkRows)).execute();
  }
  return rows.map(eventFromRow);
}

export function eventFromRow(row: EventRow): FerryEvent {
  const payload = JSON.parse(row.payload) as Pick<FerryEvent, 'node' | 'from' | 'data'>;
  return {
    seq: row.seq,
    id: row.id,
    workspaceId: row.workspace_id,
    type: row.type as EventType,
    at: row.at,
    actorId: row.actor_id,
    source: row.source,
    ...(payload.node ? { node: payload.node } : {}),
    ...(payload.from ? { from: payload.from } : {}),
    ...(payload.data ? { data: payload.data } : {}),
  };
}
