/**
 * @module events/event-reader
 * Reads a workspace's feed after a cursor, in `seq` order, straight off the
 * (workspace_id, seq) primary key. Pages are rendered to JSON text directly:
 * the stored payload is JSON already, so it is spliced in, never re-parsed.
 */
import { FerryError } from '@ferry/core';
import type { Kysely } from 'kysely';
import type { Database, EventRow } from '../db/schema.js';

export const defaultEventLimit = 100;
export const maxEventLimit = 1000;

/** The position to read after: a seq, or `latest` (start from now). */
export type FeedCursor = { kind: 'seq'; seq: number } | { kind: 'latest' };

/** '' or missing = from the start; `latest` or `now` = from the current end; else the last seq seen. */
export function parseCursor(raw: string | undefined): FeedCursor {
  if (raw === undefined || raw === '') return { kind: 'seq', seq: 0 };
  if (raw === 'latest' || raw === 'now') return { kind: 'latest' };
  if (!/^\d{1,15}$/.test(raw)) throw new FerryError('validation_failed', `The cursor "${raw.slice(0, 40)}" is not valid: pass the nextCursor of a previous answer, or "latest".`);
  return { kind: 'seq', seq: Number(raw) };
}

export async function currentSeq(db: Kysely<Database>, workspaceId: string): Promise<number> {
  const row = await db.selectFrom('workspaces').select('event_seq').where('id', '=', workspaceId).executeTakeFirst();
  return row?.event_seq ?? 0;
}

/**
 * The seq to read after. A cursor beyond the end of the feed was not handed
 * out by this server's data (a restored backup, another server): 410 gone,
 * so the client relists instead of waiting for events that will never come.
 */
export async function resolveCursor(db: Kysely<Database>, workspaceId: string, cursor: FeedCursor): Promise<number> {
  const current = await currentSeq(db, workspaceId);
  if (cursor.kind === 'latest') return current;
  if (cursor.seq > current) throw new FerryError('gone', `The cursor ${cursor.seq} is past the end of this feed (${current}); list again and continue from "latest".`);
  return cursor.seq;
}

export async function readEventsAfter(db: Kysely<Database>, workspaceId: string, afterSeq: number, limit: number): Promise<EventRow[]> {
  return db
    .selectFrom('events')
    .select(['workspace_id', 'seq', 'id', 'type', 'at', 'actor_id', 'source', 'payload'])
    .where('workspace_id', '=', workspaceId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/**
 * One event as JSON text, the same shape as `eventSchema`: the fixed fields,
 * then the members of the stored payload object (node, from, data when set).
 */
export function eventJson(row: EventRow): string {
  const head =
    `{"seq":${row.seq},"id":${JSON.stringify(row.id)},"workspaceId":${JSON.stringify(row.workspace_id)},` +
    `"type":${JSON.stringify(row.type)},"at":${JSON.stringify(row.at)},"actorId":${row.actor_id === null ? 'null' : JSON.stringify(row.actor_id)},` +
    `"source":${JSON.stringify(row.source)}`;
  const payload = row.payload.trim();
  const members = payload.startsWith('{') && payload.endsWith('}') ? payload.slice(1, -1).trim() : '';
  return members === '' ? `${head}}` : `${head},${members}}`;
}

/** `{"events": [...], "nextCursor": "<seq>"}` as JSON text. */
export function eventPageJson(rows: readonly EventRow[], afterSeq: number): string {
  const last = rows.at(-1);
  const nextCursor = String(last ? last.seq : afterSeq);
  return `{"events":[${rows.map(eventJson).join(',')}],"nextCursor":"${nextCursor}"}`;
}
