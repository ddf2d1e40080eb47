/**
 * @module oauth/token-rate-limiter
 * A per-client limit on the token endpoint, stricter than the server-wide
 * one: a fixed one-minute window per client_id, in memory, bounded in size.
 */
import type { Clock } from '../context.js';

const windowMs = 60_000;
const maxKeys = 10_000;

export class TokenRateLimiter {
  readonly #windows = new Map<string, { start: number; count: number }>();
  readonly #limit: number;
  readonly #clock: Clock;

  constructor(limitPerMinute: number, clock: Clock) {
    this.#limit = limitPerMinute;
    this.#clock = clock;
  }

  /** Counts one request; answers 0 when allowed, else the seconds to wait. */
  take(key: string): number {
    const now = this.#clock.now().getTime();
    let window = this.#windows.get(key);
    if (!window || now - window.start >= windowMs) {
      window = { start: now, count: 0 };
      this.#windows.delete(key);
      this.#windows.set(key, window);
      if (this.#windows.size > maxKeys) {
        const oldest = this.#windows.keys().next().value;
        if (oldest !== undefined) this.#windows.delete(oldest);
      }
    }
    window.count += 1;
    if (window.count <= this.#limit) return 0;
    return Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
  }
}
