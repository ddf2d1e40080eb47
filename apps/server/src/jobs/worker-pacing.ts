/**
 * @module jobs/worker-pacing
 * The rhythm of a job-running loop (the generic JobWorker and the webhook
 * delivery pump): sleeping between cycles, cut short by `wake()`; how long to
 * sleep when idle (until the next job comes due, at most the poll interval);
 * and pruning finished jobs now and then.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../context.js';
import type { Database } from '../db/schema.js';
import { nextClaimableAt, pruneFinishedJobs } from './job-queue.js';

const pruneEveryMs = 10 * 60_000;
const keepFinishedMs = 24 * 3600_000;

export class WorkerPacing {
  readonly #db: Kysely<Database>;
  readonly #clock: Clock;
  readonly #pollMs: number;
  #wakeUp: (() => void) | null = null;
  #woken = false;
  #lastPrune = 0;

  constructor(db: Kysely<Database>, clock: Clock, pollMs: number) {
    this.#db = db;
    this.#clock = clock;
    this.#pollMs = pollMs;
  }

  /** Ends the current sleep, or makes the next one end at once. */
  wake(): void {
    this.#woken = true;
    this.#wakeUp?.();
  }

  /** Called at the start of a cycle: a wake before this point has been seen. */
  startCycle(): void {
    this.#woken = false;
  }

  /** Sleeps `ms` unless woken since the cycle started (or the loop is stopping). */
  sleep(ms: number, running: boolean): Promise<void> {
    if (this.#woken || !running) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wakeUp = done;
    });
  }

  /** Until the next job comes due (5 ms at least), at most the poll interval. */
  async idleDelay(): Promise<number> {
    try {
      const next = await nextClaimableAt(this.#db);
      if (next === null) return this.#pollMs;
      return Math.max(5, Math.min(this.#pollMs, next.getTime() - this.#clock.now().getTime()));
    } catch {
      return this.#pollMs;
    }
  }

  /** Removes jobs finished more than a day ago, at most every ten minutes. */
  async maybePrune(): Promise<void> {
    const now = this.#clock.now().getTime();
    if (now - this.#lastPrune < pruneEveryMs) return;
    this.#lastPrune = now;
    await pruneFinishedJobs(this.#db, new Date(now - keepFinishedMs));
  }
}
