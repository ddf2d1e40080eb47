/**
 * @module jobs/job-queue
 * The durable jobs table: enqueue, claim by lease, finish. Delivery is
 * at-least-once: a claim sets `lease_owner` and `lease_expires_at`; a worker
 * that dies keeps its lease until it expires, then any worker claims the job
 * again. Every finishing write is guarded by the lease owner, so a worker
 * that lost its lease cannot overwrite the state of the one that took over.
 * A worker that makes jobs and runs them at once may enqueue them already
 * leased to itself (`enqueueLeasedJobs`), and a job whose outcome is recorded
 * elsewhere in the same transaction may be deleted instead of marked done
 * (`deleteFinishedJobs`). Inserts and id lists use fixed SQL texts
 * (`prepared-sql`); their ids sort by time (`ordered-id`).
 *
 * Claiming is one statement, `UPDATE jobs ... WHERE id IN (SELECT id ...
 * ORDER BY run_at LIMIT n) RETURNING *`, which SQLite runs under its single
 * write lock, so two workers never claim the same job at once. On Postgres
 * the inner SELECT needs `FOR UPDATE SKIP LOCKED` (Kysely: `.forUpdate().skipLocked()`)
 * so concurrent workers skip each other's rows instead of queueing on them.
 */
import type { Kysely } from 'kysely';
import type { Database, JobRow } from '../db/schema.js';
import { newOrderedId } from './ordered-id.js';
import { insertRows, runSql } from './prepared-sql.js';

export interface NewJob {
  kind: string;
  payload: unknown;
  /** Not before; now when left out. */
  runAt?: Date;
}

/** A lease taken at enqueue time: the enqueuer runs the job itself at once (as if it had claimed it). */
export interface JobLease {
  owner: string;
  until: Date;
}

export interface ClaimedJob {
  id: string;
  kind: string;
  payload: unknown;
  runAt: string;
  /** Claims so far, this one included. */
  attempts: number;
  leaseOwner: string;
  lastError: string | null;
}

const jobColumns = ['id', 'kind', 'payload', 'status', 'run_at', 'attempts', 'lease_owner', 'lease_expires_at', 'last_error', 'created_at', 'done_at'] as const;

/** Adds jobs; pass the transaction of the change that needs them, so they exist exactly when it does. */
export async function enqueueJobs(db: Kysely<Database>, jobs: readonly NewJob[], now: Date): Promise<string[]> {
  const rows = await insertJobRows(db, jobs, now, null);
  return rows.map((row) => row.id);
}

/**
 * Adds jobs already claimed by `lease.owner` (counted as one claim), for a
 * worker that makes work and runs it in one step: no claim statement, and if
 * the worker dies the lease runs out and any worker claims them, as usual.
 */
export async function enqueueLeasedJobs(db: Kysely<Database>, jobs: readonly NewJob[], now: Date, lease: JobLease): Promise<ClaimedJob[]> {
  const rows = await insertJobRows(db, jobs, now, lease);
  return rows.map((row, index) => ({ id: row.id, kind: row.kind, payload: jobs[index]?.payload, runAt: row.run_at, attempts: row.attempts, leaseOwner: lease.owner, lastError: null }));
}

async function insertJobRows(db: Kysely<Database>, jobs: readonly NewJob[], now: Date, lease: JobLease | null): Promise<JobRow[]> {
  if (jobs.length === 0) return [];
  // The batch's times as text once, not per row.
  const createdAt = now.toISOString();
  const leaseUntil = lease?.until.toISOString() ?? null;
  const rows = jobs.map(
    (job): JobRow => ({
      id: newOrderedId('job'),
      kind: job.kind,
      payload: JSON.stringify(job.payload),
      status: 'pending',
      run_at: job.runAt === undefined ? createdAt : job.runAt.toISOString(),
      attempts: lease === null ? 0 : 1,
      lease_owner: lease?.owner ?? null,
      lease_expires_at: leaseUntil,
      last_error: null,
      created_at: createdAt,
      done_at: null,
    }),
  );
  await insertRows(db, 'jobs', jobColumns, rows.map((row) => jobColumns.map((column) => row[column])));
  return rows;
}

/**
 * Deletes claimed jobs that are finished, where nothing needs their row any
 * more (the handler recorded the outcome elsewhere in the same transaction):
 * cheaper than marking them done and pruning them later. Guarded by the lease
 * like every finishing write; answers how many were still held.
 */
export async function deleteFinishedJobs(db: Kysely<Database>, jobs: readonly Pick<ClaimedJob, 'id' | 'leaseOwner'>[]): Promise<number> {
  const byOwner = new Map<string, string[]>();
  for (const job of jobs) {
    const ids = byOwner.get(job.leaseOwner);
    if (ids === undefined) byOwner.set(job.leaseOwner, [job.id]);
    else ids.push(job.id);
  }
  let deleted = 0;
  for (const [owner, ids] of byOwner) {
    const result = await runSql(db, 'DELETE FROM "jobs" WHERE "lease_owner" = ? AND "id" IN (SELECT "value" FROM json_each(?))', [owner, JSON.stringify(ids)]);
    deleted += result.changes;
  }
  return deleted;
}

export interface ClaimOptions {
  owner: string;
  now: Date;
  leaseMs: number;
  limit: number;
  kinds?: readonly string[];
}

/** Takes the lease of up to `limit` due jobs (oldest `run_at` first) whose lease is free or expired. */
export async function claimJobs(db: Kysely<Database>, options: ClaimOptions): Promise<ClaimedJob[]> {
  const now = options.now.toISOString();
  const until = new Date(options.now.getTime() + options.leaseMs).toISOString();
  const rows = await db
    .updateTable('jobs')
    .set((eb) => ({ lease_owner: options.owner, lease_expires_at: until, attempts: eb('attempts', '+', 1) }))
    .where('id', 'in', (eb) => {
      let due = eb
        .selectFrom('jobs')
        .select('id')
        .where('status', '=', 'pending')
        .where('run_at', '<=', now)
        .where((inner) => inner.or([inner('lease_expires_at', 'is', null), inner('lease_expires_at', '<=', now)]));
      if (options.kinds !== undefined) due = due.where('kind', 'in', [...options.kinds]);
      return due.orderBy('run_at').limit(options.limit);
    })
    .returningAll()
    .execute();
  return rows
    .sort((a, b) => (a.run_at < b.run_at ? -1 : a.run_at > b.run_at ? 1 : 0))
    .map((row) => ({
      id: row.id,
      kind: row.kind,
      payload: JSON.parse(row.payload) as unknown,
      runAt: row.run_at,
      attempts: row.attempts,
      leaseOwner: options.owner,
      lastError: row.last_error,
    }));
}

/** Marks a claimed job done. False when the lease was lost meanwhile (another worker owns the job now). */
export async function completeJob(db: Kysely<Database>, job: ClaimedJob, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({ status: 'done', done_at: now.toISOString(), lease_owner: null, lease_expires_at: null })
    .where('id', '=', job.id)
    .where('lease_owner', '=', job.leaseOwner)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Gives a claimed job back to run again at `runAt`. */
export async function rescheduleJob(db: Kysely<Database>, job: ClaimedJob, runAt: Date, error: string | null): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({ run_at: runAt.toISOString(), last_error: error, lease_owner: null, lease_expires_at: null })
    .where('id', '=', job.id)
    .where('lease_owner', '=', job.leaseOwner)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Gives up on a claimed job for good. */
export async function failJob(db: Kysely<Database>, job: ClaimedJob, now: Date, error: string): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({ status: 'failed', done_at: now.toISOString(), last_error: error, lease_owner: null, lease_expires_at: null })
    .where('id', '=', job.id)
    .where('lease_owner', '=', job.leaseOwner)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * When the next free pending job becomes due, or null when none waits. Jobs
 * under a lease are left out (their lease ends long after a poll interval),
 * which keeps this an index walk over at most the jobs in flight.
 */
export async function nextClaimableAt(db: Kysely<Database>): Promise<Date | null> {
  const row = await db
    .selectFrom('jobs')
    .select('run_at')
    .where('status', '=', 'pending')
    .where('lease_expires_at', 'is', null)
    .orderBy('run_at')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? null : new Date(row.run_at);
}

/** Deletes finished jobs older than `before` (the table would otherwise only grow). */
export async function pruneFinishedJobs(db: Kysely<Database>, before: Date): Promise<number> {
  const result = await db.deleteFrom('jobs').where('status', '!=', 'pending').where('done_at', '<', before.toISOString()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
