/**
 * @module audit/audit-log
 * The append-only audit log: every change, sign-in and admin action. Rows are
 * only ever inserted. Pass the transaction of the change when there is one.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface AuditEntryInput {
  at: string;
  workspaceId: string | null;
  actorId: string | null;
  action: string;
  target?: string | null;
  ip?: string | null;
  details?: Record<string, unknown> | null;
}

export async function appendAudit(db: Kysely<Database>, entry: AuditEntryInput): Promise<void> {
  await appendAuditEntries(db, [entry]);
}

/** Rows per multi-row insert: far below SQLite's bound-variable limit. */
const insertChunkRows = 200;

/** Appends several audit rows in order, with multi-row inserts. */
export async function appendAuditEntries(db: Kysely<Database>, entries: readonly AuditEntryInput[]): Promise<void> {
  const rows = entries.map((entry) => ({
    at: entry.at,
    workspace_id: entry.workspaceId,
    actor_id: entry.actorId,
    action: entry.action,
    target: entry.target ?? null,
    ip: entry.ip ?? null,
    details: entry.details ? JSON.stringify(entry.details) : null,
  }));
  for (let start = 0; start < rows.length; start += insertChunkRows) {
    await db.insertInto('audit').values(rows.slice(start, start + insertChunkRows)).execute();
  }
}
