/**
 * @module jobs/job-worker
 * Runs jobs of the jobs table: claims due jobs in batches, runs up to
 * `concurrency` of them at once through the handler of their kind, and records
 * each outcome (done, retry at a time, failed). It sleeps until woken (`wake()`,
 * e.g. from a hub notification), until the next job is due, or for `pollMs`,
 * whichever comes first. Time comes from the injected clock, so tests can walk
 * it and call `runDue()` to run everything due at that moment.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../context.js';
import type { Database } from '../db/schema.js';
import { newId } from '../ids.js';
import { claimJobs, completeJob, failJob, rescheduleJob, type ClaimedJob } from './job-queue.js';
import { WorkerPacing } from './worker-pacing.js';

/**
 * What became of a job. `settled`: the handler already recorded done/retry with
 * `completeJob`/`rescheduleJob` inside its own transaction (one commit for the
 * job and its effects), so the worker records nothing more.
 */
export type JobOutcome = { kind: 'done' } | { kind: 'retry'; at: Date; error: string } | { kind: 'failed'; error: string } | { kind: 'settled' };

export type JobHandler = (job: ClaimedJob) => Promise<JobOutcome>;

export interface JobWorkerLog {
  warn(details: object, message: string): void;
}

export interface JobWorkerOptions {
  db: Kysely<Database>;
  clock: Clock;
  handlers: Record<string, JobHandler>;
  concurrency?: number;
  batchSize?: number;
  leaseMs?: number;
  pollMs?: number;
  /** After a handler throws: retry after this long, up to `maxAttempts` claims. */
  errorRetryMs?: number;
  maxAttempts?: number;
  log?: JobWorkerLog;
}


export class JobWorker {
  readonly owner = newId('wrk');
  readonly #options: Required<Omit<JobWorkerOptions, 'log'>> & { log: JobWorkerLog | undefined };
  readonly #inFlight = new Set<Promise<void>>();
  #running = false;
  #loop: Promise<void> | null = null;
  readonly #pacing: WorkerPacing;

  constructor(options: JobWorkerOptions) {
    this.#options = {
      concurrency: 32,
      batchSize: 32,
      leaseMs: 60_000,
      pollMs: 1000,
      errorRetryMs: 30_000,
      maxAttempts: 20,
      ...options,
      log: options.log,
    };
    this.#pacing = new WorkerPacing(this.#options.db, this.#options.clock, this.#options.pollMs);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Stops claiming and waits for the jobs in flight to finish. */
  async stop(): Promise<void> {
    this.#running = false;
    this.wake();
    await this.#loop;
    await Promise.allSettled([...this.#inFlight]);
  }

  /** Look for due jobs now (something was enqueued). */
  wake(): void {
    this.#pacing.wake();
  }

  /** Runs every job due at the clock's current time, and the ones they make due at once; for tests and tools. */
  async runDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const jobs = await this.#claim(this.#options.batchSize);
      if (jobs.length === 0) break;
      total += jobs.length;
      await Promise.all(jobs.map((job) => this.#execute(job)));
    }
    return total;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      this.#pacing.startCycle();
      const free = this.#options.concurrency - this.#inFlight.size;
      // While busy, claim in batches (a quarter of a batch at least), not one job per finished job.
      const minClaim = this.#inFlight.size === 0 ? 1 : Math.max(1, Math.floor(Math.min(this.#options.batchSize, this.#options.concurrency) / 4));
      const want = free >= minClaim ? Math.min(free, this.#options.batchSize) : 0;
      let claimed = 0;
      if (want > 0) {
        try {
          const jobs = await this.#claim(want);
          claimed = jobs.length;
          for (const job of jobs) this.#track(this.#execute(job));
          await this.#pacing.maybePrune();
        } catch (error) {
          this.#options.log?.warn({ err: error }, 'jobs: claiming failed; retrying');
        }
      }
      if (!this.#running) break;
      if (claimed > 0 && claimed === want) continue;
      await this.#pacing.sleep(want > 0 ? await this.#pacing.idleDelay() : this.#options.pollMs, this.#running);
    }
  }

  async #claim(limit: number): Promise<ClaimedJob[]> {
    return claimJobs(this.#options.db, {
      owner: this.owner,
      now: this.#options.clock.now(),
      leaseMs: this.#options.leaseMs,
      limit,
      kinds: Object.keys(this.#options.handlers),
    });
  }

  #track(task: Promise<void>): void {
    this.#inFlight.add(task);
    void task.finally(() => {
      this.#inFlight.delete(task);
      this.wake();
    });
  }

  async #execute(job: ClaimedJob): Promise<void> {
    const { db, clock } = this.#options;
    const handler = this.#options.handlers[job.kind];
    let outcome: JobOutcome;
    try {
      if (handler === undefined) throw new Error(`no handler for job kind ${job.kind}`);
      outcome = await handler(job);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#options.log?.warn({ err: error, jobId: job.id, kind: job.kind }, 'jobs: handler failed');
      outcome =
        job.attempts >= this.#options.maxAttempts
          ? { kind: 'failed', error: message }
          : { kind: 'retry', at: new Date(clock.now().getTime() + this.#options.errorRetryMs), error: message };
    }
    try {
      if (outcome.kind === 'settled') return;
      if (outcome.kind === 'done') await completeJob(db, job, clock.now());
      else if (outcome.kind === 'retry') await rescheduleJob(db, job, outcome.at, outcome.error);
      else await failJob(db, job, clock.now(), outcome.error);
    } catch (error) {
      // The lease runs out and the job is claimed again: at-least-once.
      this.#options.log?.warn({ err: error, jobId: job.id }, 'jobs: recording the outcome failed');
    }
  }
}
