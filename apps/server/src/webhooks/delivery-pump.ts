/**
 * @module webhooks/delivery-pump
 * Runs the `webhook.deliver` jobs of the durable jobs table with one database
 * transaction per cycle: it writes the outcomes of the attempts that finished
 * since the last cycle (attempt rows, delivery status, job deleted or
 * rescheduled, endpoint health), fans out as many new events as it has room
 * for (deliveries + jobs leased to itself, so they need no claim and no
 * load), claims other due jobs (retries, replays, jobs of a dead worker) with
 * the room left, and loads their deliveries — then commits once and queues
 * them. Attempts run from that queue, up to `concurrency` at a time: a
 * finished attempt starts the next queued one at once, without waiting for a
 * cycle, so the database work of a cycle (one commit, a few fixed statements)
 * is shared by about `batchSize` deliveries while the receiver always has
 * `concurrency` requests to answer. Between cycles it yields to I/O, so every
 * answer that arrived meanwhile goes into the next cycle (group commit); it
 * yields twice more within a cycle, after recording and after fanning out, so
 * that answers arriving during a long cycle start the queued attempts instead
 * of waiting for its commit.
 *
 * At-least-once: a job is deleted or rescheduled only in the transaction that
 * records its attempt, and only while this pump still holds its lease. If the
 * process dies, or a cycle cannot commit, the lease runs out and any pump
 * claims the job again; the delivery keeps its id (`webhook-id`), so the
 * receiver can tell a repeat.
 */
import type { FerryEvent } from '@ferry/core';
import type { Kysely } from 'kysely';
import type { ServerContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { newId } from '../ids.js';
import { claimJobs, deleteFinishedJobs, enqueueJobs, failJob, rescheduleJob, type ClaimedJob, type NewJob } from '../jobs/job-queue.js';
import { WorkerPacing } from '../jobs/worker-pacing.js';
import { runSql } from '../jobs/prepared-sql.js';
import { attemptDelivery, readDeliverJob } from './delivery-handler.js';
import { loadDeliveries, recordAttempts, type AttemptRecord, type DeliveryToAttempt, type SharedJob } from './delivery-store.js';
import { deliverJobKind, endpointsBehind, fanOutInto, type DeliverJobPayload } from './fan-out.js';
import type { RandomSource } from './retry-schedule.js';

export interface DeliveryPumpOptions {
  /** Attempts in flight at once (handed to the sender; beyond its connections they wait in its client's queue). */
  concurrency: number;
  /** Jobs taken per cycle at most; also how many leased jobs may wait in the queue beside those in flight. */
  batchSize: number;
  leaseMs: number;
  /** Longest sleep when idle (jobs made by another process, retries coming due). */
  pollMs: number;
  random: RandomSource;
}

/** A job whose attempt threw (not an HTTP failure: e.g. a secret that cannot be opened): tried again later, then given up. */
const errorRetryMs = 30_000;
const maxJobClaims = 20;
/** Cycles that failed to commit in a row before their outcomes are dropped (their leases run out: attempted again). */
const maxCycleFailures = 3;
/** The longest an answer waits for others to share its cycle. */
const maxRecordWaitMs = 20;
/** While busy, due jobs (retries, replays, a dead worker's) are looked for at most this often (a full claim looks again at once). */
const claimEveryMs = 50;

/** Resolves after the event loop's current turn: whatever I/O has arrived is handled first. */
const eventLoopTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The fate of a job that ends without an attempt row: run again at `retryAt`
 * (lease given back), or failed for good (null). For a delivery of a shared
 * job, a retry is a job of its own and a failure leaves nothing to write.
 */
interface Settlement {
  job: ClaimedJob;
  shared: SharedJob | null;
  deliveryId: string;
  retryAt: Date | null;
  error: string | null;
}

interface ReadyAttempt {
  job: ClaimedJob;
  shared: SharedJob | null;
  row: DeliveryToAttempt;
  replay: boolean;
}

interface CycleResult {
  /** Deliveries made by fan-out. */
  made: number;
  /** Jobs taken to attempt (fanned out to itself or claimed). */
  claimed: number;
  recorded: number;
}

const cancelSql = 'UPDATE "webhook_deliveries" SET "status" = \'cancelled\', "next_attempt_at" = NULL, "updated_at" = ? WHERE "id" = ? AND "status" = \'pending\'';

export class DeliveryPump {
  readonly owner = newId('wrk');
  readonly #ctx: ServerContext;
  readonly #options: DeliveryPumpOptions;
  readonly #attempts = new Set<Promise<void>>();
  /** Leased and loaded, waiting for a free slot (at most `batchSize` beside those in flight). */
  #queued: ReadyAttempt[] = [];
  /** Once stopping, queued attempts are given back instead of started. */
  #stopping = false;
  /** When due jobs were last claimed (performance.now), and whether that claim was full (more may be due). */
  #lastClaimAt = Number.NEGATIVE_INFINITY;
  #claimWasFull = false;
  #records: AttemptRecord[] = [];
  #settlements: Settlement[] = [];
  /** Shared jobs whose queued deliveries were given back at stop: their lease ends with the last cycle. */
  readonly #releasing = new Set<SharedJob>();
  #failures = 0;
  /** When the oldest answer not yet recorded arrived (performance.now), or null. */
  #firstWaitingAt: number | null = null;
  #running = false;
  #loop: Promise<void> | null = null;
  readonly #pacing: WorkerPacing;

  constructor(ctx: ServerContext, options: DeliveryPumpOptions) {
    this.#ctx = ctx;
    this.#options = options;
    this.#pacing = new WorkerPacing(ctx.db, ctx.clock, options.pollMs);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Stops claiming, gives back the queued jobs (their lease ends now), waits for the attempts in flight and records them. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#stopping = true;
    this.wake();
    await this.#loop;
    this.#loop = null;
    for (const { job, shared, row } of this.#queued.splice(0)) {
      if (shared === null) this.#settlements.push({ job, shared, deliveryId: row.id, retryAt: new Date(job.runAt), error: job.lastError });
      else this.#releasing.add(shared);
    }
    await Promise.allSettled([...this.#attempts]);
    if (this.#records.length > 0 || this.#settlements.length > 0 || this.#releasing.size > 0) {
      await this.#cycle(0, false).catch((error: unknown) => this.#ctx.log.warn({ err: error }, 'webhooks: recording the last attempts failed; they will be attempted again'));
    }
  }

  /** Look for due jobs now (some were enqueued). */
  wake(): void {
    this.#pacing.wake();
  }

  /** Fans out and runs every job due at the clock's current time, and the retries that become due at once; for tests walking a clock. */
  async runDue(): Promise<{ deliveries: number; jobs: number }> {
    let deliveries = 0;
    let jobs = 0;
    for (;;) {
      const { made, claimed, recorded } = await this.#cycle(this.#options.batchSize, true);
      deliveries += made;
      jobs += claimed;
      while (this.#attempts.size > 0) await Promise.allSettled([...this.#attempts]);
      if (claimed === 0 && recorded === 0 && this.#records.length === 0 && this.#settlements.length === 0) return { deliveries, jobs };
    }
  }

  async #run(): Promise<void> {
    while (this.#running) {
      // Let every answer that has arrived be handled first: they all go into this cycle.
      await eventLoopTurn();
      if (!this.#running) break;
      this.#pacing.startCycle();
      const { batchSize } = this.#options;
      const room = this.#room();
      // While busy, cycle in batches (room for half a batch at least), not once per finished attempt:
      // the commit and the fixed statements of a cycle are shared by more deliveries. An answer waits
      // for its batch at most `maxRecordWaitMs` (the others may be slow receivers).
      const want = room >= this.#minBatch() ? Math.min(room, batchSize) : 0;
      const waiting = this.#records.length + this.#settlements.length;
      if (waiting === 0) this.#firstWaitingAt = null;
      else this.#firstWaitingAt ??= performance.now();
      if (want === 0) {
        const waitedMs = this.#firstWaitingAt === null ? 0 : performance.now() - this.#firstWaitingAt;
        if (waiting === 0 || waitedMs < maxRecordWaitMs) {
          await this.#pacing.sleep(waiting === 0 ? this.#options.pollMs : maxRecordWaitMs - waitedMs, this.#running);
          continue;
        }
      }
      let result: CycleResult;
      try {
        this.#firstWaitingAt = null;
        result = await this.#cycle(want, false);
        await this.#pacing.maybePrune();
      } catch (error) {
        this.#ctx.log.warn({ err: error }, 'webhooks: a delivery cycle failed; retrying');
        await this.#pacing.sleep(this.#options.pollMs, this.#running);
        continue;
      }
      if (want > 0 && result.claimed === want) continue;
      if (want > 0 && this.#attempts.size === 0 && this.#queued.length === 0) await this.#pacing.sleep(await this.#pacing.idleDelay(), this.#running);
      else if (result.recorded === 0) await this.#pacing.sleep(this.#options.pollMs, this.#running);
    }
  }

  /** Jobs this pump may still take: in flight and queued together stay within `concurrency + batchSize`. */
  #room(): number {
    return this.#options.concurrency + this.#options.batchSize - this.#attempts.size - this.#queued.length;
  }

  /** The room worth a cycle: any when idle, else half a batch. */
  #minBatch(): number {
    return this.#attempts.size === 0 && this.#queued.length === 0 ? 1 : Math.max(1, Math.floor(this.#options.batchSize / 2));
  }

  /**
   * One transaction: record what finished, settle jobs without attempts, fan
   * out and claim up to `claimLimit` more; then queue and start them. Due jobs
   * are claimed when asked (`claimAlways`), when idle, or at most every
   * `claimEveryMs` while busy.
   */
  async #cycle(claimLimit: number, claimAlways: boolean): Promise<CycleResult> {
    const records = this.#records;
    const settlements = this.#settlements;
    this.#records = [];
    this.#settlements = [];
    const ctx = this.#ctx;
    const now = ctx.clock.now();
    let announced: FerryEvent[] = [];
    const ready: ReadyAttempt[] = [];
    let claimed = 0;
    let made = 0;
    // Read before the transaction, whose first statement must be a write (see fanOutInto).
    const behind = claimLimit > 0 ? await endpointsBehind(ctx.db) : [];
    // Shared jobs: how many of their deliveries this cycle records; a job whose last ones are in is deleted with them.
    const sharedDone = new Map<SharedJob, number>();
    for (const { shared } of [...records, ...settlements]) if (shared !== null) sharedDone.set(shared, (sharedDone.get(shared) ?? 0) + 1);
    const releasing = [...this.#releasing];
    try {
      await ctx.db.transaction().execute(async (trx) => {
        announced = await recordAttempts(ctx, trx, records);
        await settle(trx, settlements, now);
        await deleteFinishedJobs(trx, [...sharedDone].filter(([shared, count]) => shared.remaining <= count).map(([shared]) => shared.job));
        for (const shared of releasing) {
          if (shared.remaining > (sharedDone.get(shared) ?? 0)) await rescheduleJob(trx, shared.job, new Date(shared.job.runAt), shared.job.lastError);
        }
        // A turn of the event loop after recording and again after fanning out: the answers that came in meanwhile
        // start queued attempts now, so the sender thread does not idle through the rest of this cycle. Other
        // statements of this process wait for the transaction's connection as they would anyway.
        await eventLoopTurn();
        let room = claimLimit;
        const lease = { owner: this.owner, until: new Date(now.getTime() + this.#options.leaseMs) };
        for (const endpointId of behind) {
          for (let more = true; more && room > 0; ) {
            const batch = await fanOutInto(trx, ctx.clock, endpointId, room, lease);
            const { shared } = batch;
            if (shared !== null) for (const delivery of batch.leased) ready.push({ job: shared.job, shared, row: delivery, replay: false });
            made += batch.made;
            room -= batch.leased.length;
            claimed += batch.leased.length;
            more = batch.more;
          }
        }
        await eventLoopTurn();
        const sinceClaim = performance.now() - this.#lastClaimAt;
        const idle = this.#attempts.size === 0 && this.#queued.length === 0;
        if (room > 0 && (claimAlways || idle || this.#claimWasFull || sinceClaim >= claimEveryMs)) {
          const jobs = await claimJobs(trx, { owner: this.owner, now, leaseMs: this.#options.leaseMs, limit: room, kinds: [deliverJobKind] });
          this.#lastClaimAt = performance.now();
          this.#claimWasFull = jobs.length === room;
          claimed += jobs.length;
          ready.push(...(await prepare(trx, jobs, now)));
        }
      });
      this.#failures = 0;
      for (const [shared, count] of sharedDone) shared.remaining -= count;
      for (const shared of releasing) this.#releasing.delete(shared);
    } catch (error) {
      this.#failures += 1;
      if (this.#failures < maxCycleFailures) {
        // Kept for the next cycle (outcomes are not lost with the transaction).
        this.#records = [...records, ...this.#records];
        this.#settlements = [...settlements, ...this.#settlements];
      }
      throw error;
    }
    for (const event of announced) ctx.hub.notify(event.workspaceId);
    for (const attempt of ready) this.#queued.push(attempt);
    this.#fill();
    return { made, claimed, recorded: records.length + settlements.length };
  }

  /** Starts queued attempts while there are free slots (not once stopping: those are given back). */
  #fill(): void {
    while (!this.#stopping && this.#attempts.size < this.#options.concurrency) {
      const next = this.#queued.shift();
      if (next === undefined) return;
      this.#launch(next);
    }
  }

  #launch({ job, shared, row, replay }: ReadyAttempt): void {
    const task = attemptDelivery(this.#ctx, job, shared, row, replay, this.#options.random).then(
      (record) => {
        this.#records.push(record);
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.#ctx.log.warn({ err: error, jobId: job.id }, 'webhooks: a delivery attempt failed before sending');
        const retryAt = job.attempts >= maxJobClaims ? null : new Date(this.#ctx.clock.now().getTime() + errorRetryMs);
        this.#settlements.push({ job, shared, deliveryId: row.id, retryAt, error: message });
      },
    );
    const tracked = task.finally(() => {
      this.#attempts.delete(tracked);
      this.#fill();
      // Wake the loop only when there is a reason: the first answer waiting (its wait starts), or room for a cycle.
      if (this.#records.length + this.#settlements.length === 1 || this.#room() >= this.#minBatch()) this.wake();
    });
    this.#attempts.add(tracked);
  }
}

/** Jobs that end without an attempt: retried later or failed for good (lease-guarded); a shared job's delivery is retried by a job of its own. */
async function settle(trx: Kysely<Database>, settlements: readonly Settlement[], now: Date): Promise<void> {
  const retries: NewJob[] = [];
  for (const settlement of settlements) {
    if (settlement.shared !== null) {
      if (settlement.retryAt !== null) retries.push({ kind: deliverJobKind, payload: { deliveryId: settlement.deliveryId } satisfies DeliverJobPayload, runAt: settlement.retryAt });
    } else if (settlement.retryAt !== null) await rescheduleJob(trx, settlement.job, settlement.retryAt, settlement.error);
    else await failJob(trx, settlement.job, now, settlement.error ?? 'failed');
  }
  await enqueueJobs(trx, retries, now);
}

/**
 * Loads the deliveries of freshly claimed jobs and keeps those to attempt.
 * Jobs with nothing to do end here, in the same transaction: a delivery gone
 * with its endpoint, finished already or cancelled; an endpoint switched off
 * (its delivery is cancelled); a payload that cannot be read (job failed).
 * A shared job (a fan-out batch whose pump died) is taken for the deliveries
 * it still owes: pending ones without any attempt recorded (a recorded
 * attempt that needs another has a job of its own).
 */
async function prepare(trx: Kysely<Database>, jobs: readonly ClaimedJob[], now: Date): Promise<ReadyAttempt[]> {
  const wanted: { job: ClaimedJob; shared: SharedJob | null; deliveryId: string; replay: boolean }[] = [];
  const sharedJobs: SharedJob[] = [];
  for (const job of jobs) {
    const payload = readDeliverJob(job);
    if (payload === null) {
      await failJob(trx, job, now, 'unreadable job payload');
    } else if ('deliveryIds' in payload) {
      const shared = { job, remaining: 0 };
      sharedJobs.push(shared);
      for (const deliveryId of payload.deliveryIds) wanted.push({ job, shared, deliveryId, replay: false });
    } else {
      wanted.push({ job, shared: null, deliveryId: payload.deliveryId, replay: payload.replay ?? false });
    }
  }
  const rows = await loadDeliveries(trx, wanted.map((entry) => entry.deliveryId));
  const ready: ReadyAttempt[] = [];
  const nothingToDo: ClaimedJob[] = [];
  const cancelled: string[] = [];
  for (const [index, entry] of wanted.entries()) {
    const row = rows[index];
    const owed = row !== undefined && row.status === 'pending' && (entry.shared === null || row.attempts === 0);
    if (owed && row.enabled === 1) {
      ready.push({ job: entry.job, shared: entry.shared, row, replay: entry.replay });
      if (entry.shared !== null) entry.shared.remaining += 1;
      continue;
    }
    if (owed) cancelled.push(row.id);
    if (entry.shared === null) nothingToDo.push(entry.job);
  }
  for (const id of cancelled) await runSql(trx, cancelSql, [now.toISOString(), id]);
  for (const shared of sharedJobs) if (shared.remaining === 0) nothingToDo.push(shared.job);
  await deleteFinishedJobs(trx, nothingToDo);
  return ready;
}
