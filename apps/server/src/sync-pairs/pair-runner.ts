/**
 * @module sync-pairs/pair-runner
 * The job handler of one pair run, and what a run's outcome does to the pair:
 * - success: failures reset, circuit closed, next run after the interval;
 * - `unauthenticated` (the connection needs a reconnect): the pair pauses with
 *   an error telling an admin to reconnect, then resume it;
 * - provider faults (the drivers already retried, then gave up with
 *   `unavailable`/`rate_limited`/...): exponential backoff with jitter
 *   (`backing_off`); after `circuitThreshold` failures in a row the circuit
 *   opens and runs wait `coolDownMs`; then one half-open trial run closes it
 *   on success or opens it again on failure.
 * Pausing for a reconnect and opening the circuit add a `sync_pair.failed`
 * event (and an audit row); closing an open circuit adds `sync_pair.recovered`.
 * One pair never runs twice at once: the job lease, an in-process set, and the
 * engine's state-store run lock (a second run fails with `conflict`).
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { appendAudit } from '../audit/audit-log.js';
import type { ServerContext } from '../context.js';
import type { Kysely } from 'kysely';
import type { Database, SyncPairRow } from '../db/schema.js';
import { appendEvent } from '../events/event-log.js';
import type { ClaimedJob } from '../jobs/job-queue.js';
import type { JobOutcome } from '../jobs/job-worker.js';
import { recordSyncRun } from '../analytics/sync-calls.js';
import { pairStoppedByIntegration } from '../marketplace/integration-state.js';
import { openPairReplicas } from './pair-drivers.js';
import { finishPairRun, keptErrors, recentErrorsOf, schedulePairRun, syncPairJobSchema, type PairError } from './pair-store.js';
import { loadSyncEngine, runSummarySchema, type DriverRetry } from './sync-engine-port.js';

export interface PairRunPolicy {
  backoffBaseMs: number;
  backoffMaxMs: number;
  circuitThreshold: number;
  coolDownMs: number;
  random: () => number;
  /** The drivers' own retries of each provider call, before the run gives up. */
  driverRetry: DriverRetry;
}

export const defaultRunPolicy: PairRunPolicy = { backoffBaseMs: 30_000, backoffMaxMs: 15 * 60_000, circuitThreshold: 3, coolDownMs: 10 * 60_000, random: Math.random, driverRetry: {} };

export function stateFileOf(ctx: ServerContext, pairId: string): string {
  return join(ctx.config.dataDir, 'sync-pairs', `${pairId}.db`);
}

function errorOf(error: unknown, at: string): PairError {
  const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : 'internal';
  const message = error instanceof Error ? error.message : String(error);
  return { at, code, message };
}

/** Exponential with "equal jitter": half fixed, half random, capped. */
export function backoffDelayMs(failures: number, policy: PairRunPolicy): number {
  const full = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(full / 2 + (full / 2) * policy.random());
}

const transientCodes = new Set(['unavailable', 'rate_limited', 'timeout', 'conflict']);

export function pairRunHandler(ctx: ServerContext, selfUrl: () => string, policy: PairRunPolicy, running: Set<string>) {
  return async (job: ClaimedJob): Promise<JobOutcome> => {
    const payload = syncPairJobSchema.safeParse(job.payload);
    if (!payload.success) return { kind: 'failed', error: 'bad payload' };
    const { pairId, token } = payload.data;
    const row = await ctx.db.selectFrom('sync_pairs').selectAll().where('id', '=', pairId).executeTakeFirst();
    // Deleted, paused or rescheduled since: this job is outdated.
    if (row === undefined || row.paused === 1 || row.schedule_token !== token) return { kind: 'done' };
    // Its integration is disabled in the marketplace: the pair stops until it is enabled again.
    if (await pairStoppedByIntegration(ctx, row)) return { kind: 'done' };
    if (running.has(pairId)) return { kind: 'retry', at: new Date(ctx.clock.now().getTime() + 5_000), error: 'pair already running' };
    const now = ctx.clock.now();
    if (row.circuit === 'open' && row.circuit_open_until !== null && Date.parse(row.circuit_open_until) > now.getTime()) {
      await schedulePairRun(ctx.db, pairId, new Date(row.circuit_open_until), now);
      return { kind: 'done' };
    }
    const trial = row.circuit === 'open' || row.circuit === 'half_open';
    running.add(pairId);
    try {
      await ctx.db.updateTable('sync_pairs').set({ status: 'running', circuit: trial ? 'half_open' : row.circuit, updated_at: now.toISOString() }).where('id', '=', pairId).execute();
      await runOnce(ctx, row, selfUrl(), policy, trial);
    } finally {
      running.delete(pairId);
    }
    return { kind: 'done' };
  };
}

async function runOnce(ctx: ServerContext, row: SyncPairRow, selfUrl: string, policy: PairRunPolicy, trial: boolean): Promise<void> {
  const startedAt = ctx.clock.now().toISOString();
  const eventSeq = await latestEventSeq(ctx, row.workspace_id);
  const startedMs = performance.now();
  const measure = (errorCode: string | null, files: number, bytes: number) =>
    recordSyncRun(ctx, { workspaceId: row.workspace_id, connectionId: row.connection_id, userId: row.created_by, durationMs: performance.now() - startedMs, errorCode, files, bytes }).catch((error: unknown) =>
      ctx.log.warn({ err: error }, 'analytics: a sync run could not be measured'),
    );
  try {
    const engine = await loadSyncEngine();
    await mkdir(dirname(stateFileOf(ctx, row.id)), { recursive: true });
    const replicas = await openPairReplicas(ctx, engine, row, selfUrl, policy.driverRetry);
    let raw: unknown;
    try {
      const policyOnEngine = row.conflict_policy === 'workspace' ? 'a' : row.conflict_policy === 'remote' ? 'b' : row.conflict_policy === 'newer' ? 'newer' : 'keep-both';
      raw = await engine.runSync({ a: replicas.workspace, b: replicas.remote, state: stateFileOf(ctx, row.id), labels: { a: 'workspace', b: replicas.provider }, conflictPolicy: policyOnEngine });
    } finally {
      await replicas.release();
    }
    const summary = runSummarySchema.parse(raw);
    await measure(null, summary.copied, summary.bytes);
    const now = ctx.clock.now();
    const lastRun = { startedAt, finishedAt: now.toISOString(), ok: true, copied: summary.copied, moved: summary.moved, deleted: summary.deleted, conflicts: summary.conflicts, failed: summary.failed, issues: summary.issues.length, bytes: summary.bytes };
    const recovered = row.circuit !== 'closed';
    await ctx.db.transaction().execute(async (trx) => {
      if (recovered) {
        await appendEvent(trx, { workspaceId: row.workspace_id, type: 'sync_pair.recovered', at: now.toISOString(), actorId: null, source: 'sync-pairs', data: { pairId: row.id, failures: row.consecutive_failures } });
      }
      await finishPairRun(trx, row.id, row.schedule_token, new Date(now.getTime() + row.interval_seconds * 1000), now, {
        status: 'idle',
        circuit: 'closed',
        circuit_open_until: null,
        consecutive_failures: 0,
        last_run: JSON.stringify(lastRun),
        last_event_seq: eventSeq,
      });
    });
    if (recovered) ctx.hub.notify(row.workspace_id);
  } catch (error) {
    const failure = errorOf(error, ctx.clock.now().toISOString());
    await measure(failure.code, 0, 0);
    await recordFailure(ctx, row, failure, startedAt, policy, trial, eventSeq);
  }
}

async function latestEventSeq(ctx: ServerContext, workspaceId: string): Promise<number> {
  const row = await ctx.db.selectFrom('events').select((eb) => eb.fn.max('seq').as('seq')).where('workspace_id', '=', workspaceId).executeTakeFirst();
  return Number(row?.seq ?? 0);
}

async function recordFailure(ctx: ServerContext, row: SyncPairRow, failure: PairError, startedAt: string, policy: PairRunPolicy, trial: boolean, eventSeq: number): Promise<void> {
  const now = ctx.clock.now();
  const recent = [failure, ...recentErrorsOf(row)].slice(0, keptErrors);
  const base = {
    last_error: JSON.stringify(failure),
    recent_errors: JSON.stringify(recent),
    last_run: JSON.stringify({ startedAt, finishedAt: now.toISOString(), ok: false, copied: 0, moved: 0, deleted: 0, conflicts: 0, failed: 0, issues: 0, bytes: 0 }),
    last_event_seq: eventSeq,
  };
  if (failure.code === 'unauthenticated' || failure.code === 'connection_needs_reauth') {
    const message = 'The connection needs to be reconnected: an admin reconnects it under Connections, then resumes this pair.';
    await ctx.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('sync_pairs')
        .set({ ...base, last_error: JSON.stringify({ ...failure, message: `${message} (${failure.message})` }), paused: 1, status: 'paused', next_run_at: null, updated_at: now.toISOString() })
        .where('id', '=', row.id)
        .execute();
      await announceFailure(trx, row, failure, 'paused', now);
    });
    ctx.hub.notify(row.workspace_id);
    return;
  }
  const failures = row.consecutive_failures + 1;
  if (!transientCodes.has(failure.code)) {
    // Not a provider outage (a removed folder, a refused write): say so and try again at the next interval.
    await finishPairRun(ctx.db, row.id, row.schedule_token, new Date(now.getTime() + row.interval_seconds * 1000), now, { ...base, status: 'error', consecutive_failures: failures, circuit: 'closed', circuit_open_until: null });
    return;
  }
  if (trial || failures >= policy.circuitThreshold) {
    const until = new Date(now.getTime() + policy.coolDownMs);
    await ctx.db.transaction().execute(async (trx) => {
      await finishPairRun(trx, row.id, row.schedule_token, until, now, { ...base, status: 'backing_off', consecutive_failures: failures, circuit: 'open', circuit_open_until: until.toISOString() });
      await announceFailure(trx, row, failure, 'circuit_open', now);
    });
    ctx.hub.notify(row.workspace_id);
    return;
  }
  const at = new Date(now.getTime() + backoffDelayMs(failures, policy));
  await finishPairRun(ctx.db, row.id, row.schedule_token, at, now, { ...base, status: 'backing_off', consecutive_failures: failures, circuit: 'closed' });
}

/** The `sync_pair.failed` event and its audit row, in the transaction that records the failure. */
async function announceFailure(db: Kysely<Database>, row: SyncPairRow, failure: PairError, state: 'paused' | 'circuit_open', now: Date): Promise<void> {
  const at = now.toISOString();
  const data = { pairId: row.id, connectionId: row.connection_id, state, code: failure.code, message: failure.message };
  await appendEvent(db, { workspaceId: row.workspace_id, type: 'sync_pair.failed', at, actorId: null, source: 'sync-pairs', data });
  await appendAudit(db, { at, workspaceId: row.workspace_id, actorId: null, action: state === 'paused' ? 'sync_pair.paused' : 'sync_pair.circuit_opened', target: row.id, details: { code: failure.code, message: failure.message } });
}
