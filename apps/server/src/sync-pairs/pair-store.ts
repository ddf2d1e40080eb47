/**
 * @module sync-pairs/pair-store
 * Rows of `sync_pairs` and their API view, and scheduling: a pair has at most
 * one live run job. Scheduling writes a fresh `schedule_token` into the row and
 * enqueues a job carrying it; a job whose token is no longer the row's is an
 * outdated schedule and ends without running. So "run now", a change in the
 * folder and the next interval never add up to duplicate runs.
 */
import { FerryError, syncPairErrorSchema, syncPairRunSchema, type syncPairSchema } from '@ferry/core';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database, SyncPairRow } from '../db/schema.js';
import { newId } from '../ids.js';
import { enqueueJobs } from '../jobs/job-queue.js';

export const syncPairJobKind = 'sync_pair.run';
export const syncPairJobSchema = z.object({ pairId: z.string(), token: z.string() });
/** The hub key the worker listens on for "a pair was scheduled". */
export const syncPairWakeKey = '$sync-pairs';

export type SyncPairView = z.infer<typeof syncPairSchema>;
export type PairError = z.infer<typeof syncPairErrorSchema>;
export type PairStatus = SyncPairView['status'];
export type PairCircuit = SyncPairView['circuit'];
export type PairPolicy = SyncPairView['conflictPolicy'];

const recentErrorsSchema = z.array(syncPairErrorSchema);
export const keptErrors = 10;

function parseJson<T>(schema: z.ZodType<T>, text: string | null): T | null {
  if (text === null) return null;
  const parsed = schema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}

export function recentErrorsOf(row: SyncPairRow): PairError[] {
  return parseJson(recentErrorsSchema, row.recent_errors) ?? [];
}

export function pairView(row: SyncPairRow, provider: string): SyncPairView {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    folderId: row.folder_id,
    connectionId: row.connection_id,
    provider,
    remotePath: row.remote_path,
    conflictPolicy: z.enum(['keep-both', 'newer', 'workspace', 'remote']).parse(row.conflict_policy),
    intervalSeconds: row.interval_seconds,
    paused: row.paused === 1,
    status: z.enum(['idle', 'running', 'paused', 'error', 'backing_off']).parse(row.status),
    circuit: z.enum(['closed', 'open', 'half_open']).parse(row.circuit),
    circuitOpenUntil: row.circuit_open_until,
    consecutiveFailures: row.consecutive_failures,
    nextRunAt: row.paused === 1 ? null : row.next_run_at,
    lastRun: parseJson(syncPairRunSchema, row.last_run),
    lastError: parseJson(syncPairErrorSchema, row.last_error),
    recentErrors: recentErrorsOf(row),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function findPair(db: Kysely<Database>, workspaceId: string, pairId: string): Promise<SyncPairRow> {
  const row = await db.selectFrom('sync_pairs').selectAll().where('id', '=', pairId).where('workspace_id', '=', workspaceId).executeTakeFirst();
  if (row === undefined) throw new FerryError('sync_pair_not_found', 'No such sync pair.');
  return row;
}

export async function providerOfPair(db: Kysely<Database>, row: SyncPairRow): Promise<string> {
  const connection = await db.selectFrom('connections').select('provider').where('id', '=', row.connection_id).executeTakeFirst();
  return connection?.provider ?? 'unknown';
}

/** Makes the pair's next (and only live) run due at `at`. Pass the transaction of the change that schedules it. */
export async function schedulePairRun(db: Kysely<Database>, pairId: string, at: Date, now: Date, extra: Partial<SyncPairRow> = {}): Promise<void> {
  const token = newId('run');
  await db
    .updateTable('sync_pairs')
    .set({ ...extra, schedule_token: token, next_run_at: at.toISOString(), updated_at: now.toISOString() })
    .where('id', '=', pairId)
    .execute();
  await enqueueJobs(db, [{ kind: syncPairJobKind, payload: { pairId, token }, runAt: at }], now);
}

/**
 * Records the end of the run that held `runToken` and schedules the next one,
 * unless the pair was rescheduled (run now) or paused while it ran: then that
 * schedule stays, and only the outcome is written.
 */
export async function finishPairRun(db: Kysely<Database>, pairId: string, runToken: string, at: Date, now: Date, extra: Partial<SyncPairRow>): Promise<void> {
  const current = await db.selectFrom('sync_pairs').select(['schedule_token', 'paused']).where('id', '=', pairId).executeTakeFirst();
  if (current === undefined) return;
  if (current.schedule_token === runToken && current.paused === 0) {
    await schedulePairRun(db, pairId, at, now, extra);
    return;
  }
  const { status, ...outcome } = extra;
  await db
    .updateTable('sync_pairs')
    .set({ ...outcome, ...(current.paused === 1 || status === undefined ? {} : { status }), updated_at: now.toISOString() })
    .where('id', '=', pairId)
    .execute();
}
