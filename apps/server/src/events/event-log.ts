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
  const { event_seq: seq } = await trx
    .updateTable('workspaces')
    .set((eb) => ({ event_seq: eb('event_seq', '+', 1) }))
    .where('id', '=', event.workspaceId)
    .returning('event_seq')
    .executeTakeFirstOrThrow();
  const row: EventRow = {
    workspace_id: event.workspaceId,
    seq,
    id: newId('evt'),
    type: event.type,
    at: event.at,
    actor_id: event.actorId,
    source: event.source,
    payload: JSON.stringify({ node: event.node, from: event.from, data: event.data }),
  };
  await trx.insertInto('events').values(row).execute();
  return eventFromRow(row);
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
