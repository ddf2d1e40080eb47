/**
 * @module drivers/provider-retry
 * The retry policy every provider driver (Google Drive, Dropbox) applies to
 * its own calls, so behaviour does not depend on an SDK's hidden defaults:
 *
 * - each failure is classified by the driver: `transient` (5xx, network
 *   errors, time-outs), `rate_limited` (429, Drive's 403 rate-limit reasons,
 *   with the server's Retry-After), `auth` (an expired access token: refresh
 *   once, then try again at once) or `fatal` (handed back to the caller);
 * - transient and rate-limited failures wait with exponential backoff and
 *   full jitter, never less than Retry-After, bounded by a number of attempts
 *   and a total time budget;
 * - when the budget is spent the call fails with a `FerryError` whose code
 *   (`rate_limited` or `unavailable`) and message say why, so the engine
 *   stops cleanly with the reason.
 */
import { FerryError } from '@ferry/core/errors';

export interface RetryPolicy {
  /** Attempts in all, the first included (default 6). */
  readonly maxAttempts: number;
  /** Time budget for one call with its retries, in ms (default 2 minutes). */
  readonly maxElapsedMs: number;
  /** First backoff step in ms (default 500); doubles per attempt. */
  readonly baseDelayMs: number;
  /** Largest backoff step in ms (default 30 s); Retry-After may ask for more. */
  readonly maxDelayMs: number;
  /** Time-out for one request until its response headers arrive, in ms (default 60 s). */
  readonly requestTimeoutMs: number;
  /** How to wait (tests record the delays here). */
  readonly sleep: (milliseconds: number) => Promise<void>;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 6,
  maxElapsedMs: 120_000,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  requestTimeoutMs: 60_000,
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return { ...defaultRetryPolicy, ...overrides };
}

/** What a driver makes of one failed call. */
export type ProviderFailure =
  | { readonly kind: 'transient'; readonly message: string; readonly retryAfterMs?: number }
  | { readonly kind: 'rate_limited'; readonly message: string; readonly retryAfterMs?: number }
  | { readonly kind: 'auth'; readonly message: string }
  | { readonly kind: 'fatal' };

export interface RetryContext {
  /** Provider name for messages ("Google Drive"). */
  readonly provider: string;
  readonly policy: RetryPolicy;
  readonly classify: (error: unknown) => ProviderFailure;
  /** Gets a fresh access token; throws (unauthenticated) when the grant is gone. */
  readonly refreshAuth: () => Promise<void>;
}

export { parseRetryAfter } from '@ferry/core';

/** Network-level failures worth another attempt (no HTTP answer at all). */
export function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return true;
  const code = 'code' in error ? String(error.code) : '';
  if (/^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN|ENOTFOUND|ECONNABORTED|UND_ERR_\w+)$/.test(code)) return true;
  const cause = 'cause' in error ? error.cause : undefined;
  if (cause !== undefined && cause !== error && isNetworkFailure(cause)) return true;
  return error.name === 'TypeError' && /fetch failed|terminated|socket/i.test(error.message);
}

/** The wait before attempt `attempt + 1`: exponential, capped, with full jitter over its upper half. */
export function backoff(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/**
 * Runs `operation` under the policy. `operation` gets the attempt number
 * (1-based) so a non-idempotent call can first check whether an earlier
 * attempt landed after all. Fatal failures are rethrown unchanged.
 */
export async function withProviderRetry<T>(context: RetryContext, label: string, operation: (attempt: number) => Promise<T>): Promise<T> {
  const { policy, provider } = context;
  const started = Date.now();
  let refreshed = false;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (error instanceof FerryError) throw error;
      const failure = context.classify(error);
      if (failure.kind === 'fatal') throw error;
      if (failure.kind === 'auth') {
        if (refreshed) throw new FerryError('unauthenticated', `${provider} refused the access token again right after a refresh (${label}): ${failure.message}`);
        refreshed = true;
        await context.refreshAuth();
        continue;
      }
      const code = failure.kind === 'rate_limited' ? 'rate_limited' : 'unavailable';
      const elapsed = Date.now() - started;
      const delay = Math.max(failure.retryAfterMs ?? 0, backoff(policy, attempt));
      const details = { provider, operation: label, attempts: attempt, elapsedMs: elapsed, ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}) };
      if (attempt >= policy.maxAttempts) {
        throw new FerryError(code, `${provider} ${label} failed ${attempt} times in ${Math.round(elapsed / 1000)} s; giving up for now: ${failure.message}`, details);
      }
      if (elapsed + delay > policy.maxElapsedMs) {
        const wait = failure.retryAfterMs !== undefined ? ` (it asks to wait ${Math.ceil(failure.retryAfterMs / 1000)} s)` : '';
        throw new FerryError(code, `${provider} ${label} is still failing after ${attempt} attempts${wait}, beyond the retry budget; giving up for now: ${failure.message}`, details);
      }
      await policy.sleep(delay);
    }
  }
}

/**
 * An AbortSignal that fires when a response takes longer than `timeoutMs` to
 * start; call `done()` once the headers (or the whole small answer) arrived.
 */
export function responseDeadline(timeoutMs: number): { readonly signal: AbortSignal; done(): void; abort(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
  timer.unref();
  return { signal: controller.signal, done: () => clearTimeout(timer), abort: () => controller.abort() };
}

/**
 * Passes a download through, failing with `unavailable` when no bytes arrive
 * for `idleMs` (a stalled connection), and calling `abort()` so the socket goes.
 */
export async function* stallGuard(source: AsyncIterable<Uint8Array>, idleMs: number, provider: string, abort: () => void): AsyncGenerator<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<'stalled'>((resolve) => {
        timer = setTimeout(() => resolve('stalled'), idleMs);
      });
      const next = await Promise.race([iterator.next(), stalled]).finally(() => clearTimeout(timer));
      if (next === 'stalled') {
        abort();
        throw new FerryError('unavailable', `${provider} stopped sending the download for ${Math.round(idleMs / 1000)} s.`);
      }
      if (next.done === true) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!finished) abort(); // the reader stopped early or failed: let the connection go
  }
}
