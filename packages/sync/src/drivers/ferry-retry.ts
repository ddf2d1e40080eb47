/**
 * @module drivers/ferry-retry
 * The Ferry driver's answer to a server that is busy or restarting: a call
 * refused with 429 (rate_limited) or 502/503/504 (unavailable), or one that
 * got no answer at all, is tried again with exponential backoff and full
 * jitter, never sooner than the server's Retry-After, within a number of
 * attempts and a time budget (the provider drivers' policy, `RetryPolicy`).
 * Only calls whose request can be sent again go through here (a streamed
 * upload only when its source can be opened again: `ferry-upload-retry.ts`);
 * each of them carries its precondition, so a retry of a call that landed
 * after all fails its precondition instead of doing it twice.
 *
 * When the server could not be reached at all for a whole budget, the
 * driver remembers the outage: its next calls get one attempt each, with no
 * waiting, and fail with the outage's reason while the server stays
 * unreachable, so a run against a server that is down ends in seconds
 * instead of spending a budget on every action. The first call that gets
 * through ends the outage.
 */
import { FerryError, isFerryError } from '@ferry/core/errors';
import { backoff, defaultRetryPolicy, type RetryPolicy } from './provider-retry.js';

/** The Ferry driver's default: a server restart takes seconds, not minutes. */
export const ferryRetryPolicy: RetryPolicy = { ...defaultRetryPolicy, maxAttempts: 5, maxElapsedMs: 30_000, baseDelayMs: 250, maxDelayMs: 8_000 };

/** A failure worth another attempt, with the server's Retry-After when it gave one. */
function transient(error: unknown): { readonly retryAfterMs?: number; readonly unreachable: boolean } | null {
  if (!isFerryError(error) || (error.code !== 'unavailable' && error.code !== 'rate_limited')) return null;
  const details: unknown = error.details;
  const record = typeof details === 'object' && details !== null ? (details as Record<string, unknown>) : {};
  const retryAfterMs = typeof record.retryAfterMs === 'number' ? record.retryAfterMs : undefined;
  return { ...(retryAfterMs === undefined ? {} : { retryAfterMs }), unreachable: record.reason === 'unreachable' };
}

export class FerryRetry {
  private outage: FerryError | null = null;

  constructor(private readonly policy: RetryPolicy) {}

  /** A new run: try the server again even if it was down during the last one. */
  reset(): void {
    this.outage = null;
  }

  /** Runs `call`, trying again on transient failures (see the module comment). */
  async run<T>(label: string, call: () => Promise<T>): Promise<T> {
    if (this.outage !== null) {
      // One attempt, no waiting: the server is back, or this call fails with the outage's reason at once.
      try {
        const value = await call();
        this.outage = null;
        return value;
      } catch (error) {
        if (transient(error)?.unreachable === true) throw this.outage;
        throw error;
      }
    }
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        const failure = transient(error);
        if (failure === null || !(error instanceof FerryError)) throw error;
        const elapsed = Date.now() - started;
        const delay = Math.max(failure.retryAfterMs ?? 0, backoff(this.policy, attempt));
        if (attempt >= this.policy.maxAttempts || elapsed + delay > this.policy.maxElapsedMs) {
          const given = new FerryError(error.code, `The Ferry server refused ${label} ${attempt} times in ${Math.round(elapsed / 1000)} s; giving up for now: ${error.message}`, {
            operation: label,
            attempts: attempt,
            elapsedMs: elapsed,
          });
          if (failure.unreachable) this.outage = given;
          throw given;
        }
        await this.policy.sleep(delay);
      }
    }
  }
}
