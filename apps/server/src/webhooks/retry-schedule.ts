/**
 * @module webhooks/retry-schedule
 * When a failed delivery is tried again: attempts at about 0 s, 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h and 10 h after the previous one, each delay with
 * ±20 % jitter (so receivers coming back are not hit by every sender at once),
 * and never before a longer `Retry-After` the receiver asked for.
 */

/** Delay before attempt n + 2 after attempt n + 1 failed (the first attempt is immediate). */
export const retryDelaysMs = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 5 * 3600_000, 10 * 3600_000, 10 * 3600_000] as const;

export const maxDeliveryAttempts = retryDelaysMs.length + 1;
export const jitterFraction = 0.2;
/** The longest Retry-After honoured; a receiver cannot park a delivery for longer. */
export const maxRetryAfterMs = 24 * 3600_000;

/** A number in [0, 1), injectable for tests. */
export type RandomSource = () => number;

/**
 * The time of the next attempt after `attempts` failed ones, or null when the
 * schedule is used up.
 */
export function nextAttemptAt(attempts: number, now: Date, retryAfterMs: number | null, random: RandomSource = Math.random): Date | null {
  const base = retryDelaysMs[attempts - 1];
  if (base === undefined) return null;
  const jittered = base * (1 - jitterFraction + 2 * jitterFraction * random());
  const delay = retryAfterMs !== null && retryAfterMs > jittered ? Math.min(retryAfterMs, maxRetryAfterMs) : jittered;
  return new Date(now.getTime() + Math.round(delay));
}
